import test from 'ava';
import { deliverToHttpTarget } from '../../src/plugin-sdk/deliver-to-http-target.js';
import type { InstallableLicense } from '../../src/plugin-sdk/ka-adapter.js';
import { KaError } from '../../src/plugin-sdk/ka-error.js';
import { startInstallTargetServer } from '../../src/reference-ka/install-target-server.js';

const license: InstallableLicense = {
  licenseId: 'lic-1',
  keyNumber: 'PLSK.00000001',
  productKey: 'ABCDEF-123456-ABCDEF-123456-ABCDEF',
  product: 'PLESK-12-WEB-HOST',
  files: [
    {
      keyNumber: 'PLSK.00000001',
      fileName: 'PLSK.00000001.xml',
      contentType: 'application/xml',
      content: Buffer.from('<key/>'),
    },
  ],
};

test('a delivered license is recorded by the target with its files', async (t) => {
  const target = await startInstallTargetServer({ token: 'tok' });
  const receipt = await deliverToHttpTarget(
    license,
    { serviceId: 's1', url: target.url, token: 'tok' },
    { timeoutMs: 2000 },
  );
  t.true(receipt.installedAt instanceof Date);
  const [install] = target.installs();
  t.is(install?.keyNumber, 'PLSK.00000001');
  t.is(install?.files[0]?.size, 6);
  await target.close();
});

test('a wrong token is a permanent install failure', async (t) => {
  const target = await startInstallTargetServer({ token: 'tok' });
  const error = await t.throwsAsync(
    deliverToHttpTarget(license, { serviceId: 's1', url: target.url, token: 'nope' }, { timeoutMs: 2000 }),
    { instanceOf: KaError },
  );
  t.is(error?.code, 'install_failed');
  t.false(error?.retryable);
  t.false(JSON.stringify(error).includes('nope'));
  t.is(target.installs().length, 0);
  await target.close();
});

test('a 5xx from the target is retryable and the next attempt installs', async (t) => {
  const target = await startInstallTargetServer();
  target.failNext(503, 1);
  const error = await t.throwsAsync(
    deliverToHttpTarget(license, { serviceId: 's1', url: target.url }, { timeoutMs: 2000 }),
    {
      instanceOf: KaError,
    },
  );
  t.true(error?.retryable);
  await deliverToHttpTarget(license, { serviceId: 's1', url: target.url }, { timeoutMs: 2000 });
  t.is(target.installs().length, 1);
  await target.close();
});
