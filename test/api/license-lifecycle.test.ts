import test from 'ava';
import { testDialects } from '../helpers/test-database.js';
import { startTwoProtocolRig } from '../helpers/two-protocol-rig.js';
import { waitFor } from '../helpers/wait-for.js';

type Body = Record<string, unknown>;

for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: staff suspend, resume, terminate and renew a license at its KA; what the plugin cannot do or the KA refuses changes nothing`,
    async (t) => {
      const rig = await startTwoProtocolRig(dialect, { planCode: 'lifecycle', ip: '203.0.113.30' });
      const { api, xmlrpc, target } = rig;
      try {
        const { licenses } = await rig.buyAndWaitInstalled('life-1');
        const rasLicense = licenses.find((l) => l.configurationId === rig.rasConfigurationId) as Body;
        const pleskLicense = licenses.find((l) => l.configurationId === rig.xmlConfigurationId) as Body;
        const keyAtKa = (keyNumber: unknown) => xmlrpc.authority.listKeys().find((k) => k.keyNumber === keyNumber);

        const suspended = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/suspend`, {
          body: { note: 'unpaid invoice' },
        });
        t.is(suspended.status, 200);
        t.is(suspended.body.status, 'suspended');
        t.true(keyAtKa(rasLicense.keyNumber)?.suspended);

        const resumed = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/resume`);
        t.is(resumed.body.status, 'installed');
        t.false(keyAtKa(rasLicense.keyNumber)?.suspended);

        // The KA refuses: nothing changes in Keyway, and staff get the KA's answer.
        xmlrpc.authority.injectFault(
          'TerminateKey',
          { kind: 'result', code: 500, message: 'KA maintenance' },
          { times: 1 },
        );
        const refused = await api.request<{ error: Body & { details: { error: Body } } }>(
          'POST',
          `/api/v1/licenses/${rasLicense.id}/terminate`,
        );
        t.is(refused.status, 502);
        t.is(refused.body.error.code, 'upstream_failed');
        t.like(refused.body.error.details.error, { kaMessage: 'KA maintenance', retryable: true });
        t.regex(String(refused.body.error.message), /did not terminate key RAS\./);
        t.false(keyAtKa(rasLicense.keyNumber)?.terminated);
        t.is((await api.request<Body>('GET', `/api/v1/licenses/${rasLicense.id}`)).body.status, 'installed');

        const terminated = await api.request<Body>('POST', `/api/v1/licenses/${rasLicense.id}/terminate`, {
          body: { note: 'contract ended' },
        });
        t.is(terminated.body.status, 'terminated');
        t.true(keyAtKa(rasLicense.keyNumber)?.terminated);
        const again = await api.request<{ error: Body }>('POST', `/api/v1/licenses/${rasLicense.id}/terminate`);
        t.is(again.status, 409);
        t.is(again.body.error.code, 'invalid_state');

        const history = (await api.request<{ history: Body[] }>('GET', `/api/v1/licenses/${rasLicense.id}`)).body
          .history;
        const lifecycle = history
          .filter((e) => String(e.action).startsWith('license.'))
          .map((e) => [e.action, e.toState ?? null]);
        t.deepEqual(
          lifecycle.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
          [
            ['license.resumed', 'installed'],
            ['license.suspended', 'suspended'],
            ['license.terminate_failed', null],
            ['license.terminated', 'terminated'],
          ],
        );

        // Renewing: new dates at once, then the pipeline fetches the renewed file and installs it.
        const keysBefore = xmlrpc.authority.listKeys().length;
        const before = (await api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${pleskLicense.id}`)).body;
        const renewed = await api.request<Body>('POST', `/api/v1/licenses/${pleskLicense.id}/renew`, {
          body: { note: 'annual renewal' },
        });
        t.is(renewed.status, 200);
        // The Partner API 1.0 key is a monthly lease: its own expiry moves, the license's (the subscription's term end) stays.
        t.is(renewed.body.termKind, 'lease');
        t.true(Date.parse(String(renewed.body.keyExpiresAt)) > Date.parse(String(before.keyExpiresAt)));
        t.is(renewed.body.expiresAt, before.expiresAt);
        const requestId = before.requestId as number;
        await waitFor(async () => {
          const r = await api.request<{ state: string; history: Body[] }>(
            'GET',
            `/api/v1/license-requests/${requestId}`,
          );
          return r.body.state === 'installed' &&
            r.body.history.some((e) => e.action === 'license_request.renewal_started')
            ? true
            : undefined;
        }, 'the renewed file to be installed');
        const after = (await api.request<Body & { files: Body[] }>('GET', `/api/v1/licenses/${pleskLicense.id}`)).body;
        t.is(after.status, 'installed');
        t.true(
          Date.parse(String(after.installedAt)) > Date.parse(String(before.installedAt)),
          'installedAt is the reinstall',
        );
        t.is(after.files.length, 1);
        t.not(after.files[0]?.sha256, before.files[0]?.sha256, 'the renewed file replaced the old one');
        // The target keeps the latest install of each license: it now holds the renewed file.
        t.is(
          target.installs().find((i) => i.licenseId === String(pleskLicense.id))?.files[0]?.sha256,
          String(after.files[0]?.sha256),
        );
        t.is(xmlrpc.authority.listKeys().length, keysBefore, 'a renewal makes no new key');
        const renewalHistory = (
          await api.request<{ history: Body[] }>('GET', `/api/v1/license-requests/${requestId}`)
        ).body.history.map((e) => e.action);
        t.deepEqual(renewalHistory.slice(renewalHistory.indexOf('license_request.renewal_started')), [
          'license_request.renewal_started',
          'license_request.files_retrieved',
          'license_request.installing',
          'license_request.installed',
        ]);

        // The XML-RPC plugin cannot suspend: refused before anything is sent.
        const unsupported = await api.request<{ error: Body }>('POST', `/api/v1/licenses/${pleskLicense.id}/suspend`);
        t.is(unsupported.status, 409);
        t.is(unsupported.body.error.code, 'not_supported');
        t.false(keyAtKa(pleskLicense.keyNumber)?.suspended);

        // Viewers read, they do not act.
        const viewer = await api.request<Body>('POST', '/api/v1/api-tokens', {
          body: { name: 'viewer', role: 'viewer' },
        });
        const forbidden = await api.request<Body>('POST', `/api/v1/licenses/${pleskLicense.id}/terminate`, {
          token: String(viewer.body.token),
        });
        t.is(forbidden.status, 403);
        t.false(keyAtKa(pleskLicense.keyNumber)?.terminated);
      } finally {
        await rig.close();
      }
    },
  );
}
