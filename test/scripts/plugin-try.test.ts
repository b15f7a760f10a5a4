import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { startReferenceSoapKa } from '../../plugins/soap-ka/src/reference-server.js';
import { KaConfigurationStore } from '../../src/features/ka-configurations/ka-configuration-store.js';
import { createDatabase } from '../../src/infra/db/database.js';
import { migrateLatest } from '../../src/infra/db/migrator.js';
import { loadPlugins } from '../../src/plugin-host/plugin-loader.js';
import { syncPlugins } from '../../src/plugin-host/plugin-sync.js';
import { DEMO_ACCOUNT } from '../../src/reference-ka/index.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('plugin:try runs one action on a stored configuration and prints the result and the wire, password masked', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-plugin-try-'));
  const ka = await startReferenceSoapKa();
  t.teardown(async () => {
    await ka.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = `sqlite:${path.join(dir, 'keyway.sqlite')}`;
  const db = createDatabase(url);
  try {
    await migrateLatest(db);
    await syncPlugins(db, await loadPlugins(path.join(root, 'plugins')));
    const settings = { endpoint: ka.url, login: DEMO_ACCOUNT.login, password: DEMO_ACCOUNT.password, timeoutMs: 5000 };
    await new KaConfigurationStore().insert(db, {
      name: 'Try SOAP',
      pluginName: 'soap-ka',
      settings,
      enabled: true,
      allowedProducts: null,
    });
  } finally {
    await db.destroy();
  }
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import=tsx', path.join(root, 'scripts', 'plugin-try.ts'), ...args], {
      cwd: root,
      env: { ...process.env, KEYWAY_DB_URL: url, KEYWAY_PLUGINS_DIR: path.join(root, 'plugins') },
    });

  const issued = await cli('Try SOAP', 'issueKey', 'RAS-SUBSCRIPTION', '5', 'kw-try-1', '12');
  t.regex(issued.stdout, /=== result[\s\S]*"keyNumber": "RAS\.\d{8}"/);
  t.regex(issued.stdout, /=== wire exchange 1 of 1[\s\S]*>>> POST .*\/soap[\s\S]*<CreateKeyRequest[\s\S]*<<< HTTP 200/);
  t.false(issued.stdout.includes(DEMO_ACCOUNT.password), 'the password never shows');
  t.true(issued.stdout.includes('<ka:Password>********</ka:Password>'));

  const found = await cli('1', 'findKeyByRef', 'kw-try-1');
  t.true(found.stdout.includes('"status": "found"'));

  ka.authority.injectFault('Ping', { kind: 'result', code: 'SERVICE_BUSY' }, { times: 1 });
  const refused = await cli('Try SOAP', 'testConnection').catch((error: { code?: number; stdout?: string }) => error);
  t.is((refused as { code?: number }).code, 1);
  t.regex(String(refused.stdout), /=== KaError[\s\S]*"retryable": true[\s\S]*SERVICE_BUSY/);

  // Every action the plugin declares is offered; one it does not declare is refused.
  const keyNumber = /"keyNumber": "(RAS\.\d{8})"/.exec(issued.stdout)?.[1] ?? '';
  const renewed = await cli('Try SOAP', 'renew', keyNumber);
  t.regex(renewed.stdout, /=== result[\s\S]*"expiresAt"[\s\S]*<RenewKeyRequest/);
  const listed = await cli('Try SOAP').catch((error: { code?: number; stderr?: string }) => error);
  t.is((listed as { code?: number }).code, 2);
  for (const action of ['testConnection', 'issueKey', 'getKeyInfo', 'renew', 'suspend', 'resume', 'terminate']) {
    t.regex(String((listed as { stderr?: string }).stderr), new RegExp(`\\n  ${action}\\b`), action);
  }
  const undeclared = await cli('Try SOAP', 'upgrade', keyNumber, 'FT-PREMIUM-SUPPORT').catch(
    (error: { code?: number; stderr?: string }) => error,
  );
  t.is((undeclared as { code?: number }).code, 2);
  t.true(String((undeclared as { stderr?: string }).stderr).includes('this plugin does not declare upgrade'));
  await cli('Try SOAP', 'terminate', keyNumber);
  t.true(ka.authority.getKey(keyNumber).terminated, 'terminate reached the KA');

  const unknown = await cli('nope', 'testConnection').catch((error: { code?: number; stderr?: string }) => error);
  t.is((unknown as { code?: number }).code, 2);
  t.true(String(unknown.stderr).includes('no KA configuration nope'));
});
