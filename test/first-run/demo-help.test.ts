import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { startKeyway } from '../../src/server.js';
import { waitFor } from '../helpers/wait-for.js';

test('the demo start-up help pastes into bash as printed: the TOKEN line, then the order, pay and subscription commands', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-help-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const printed: string[] = [];
  const config = loadConfig({
    PORT: '0',
    KEYWAY_DB_URL: `sqlite:${path.join(dir, 'keyway.sqlite')}`,
    KEYWAY_DEMO: 'true',
    KEYWAY_LOG_LEVEL: 'silent',
  });
  const running = await startKeyway(config, createLogger('silent'), { print: (line) => printed.push(line) });
  t.teardown(() => running.close());
  const out = printed.join('\n');
  t.notRegex(out, /<id>|<subscriptionId>|<the printed token>/);
  t.regex(out, new RegExp(`Staff console: ${running.url}/`));
  const tokenLine = /^ {2}(TOKEN=\S+)$/m.exec(out)?.[1] ?? '';
  const commands = out.slice(out.indexOf('Place and pay an order')).split('\n').slice(1).join('\n');
  const script = `${tokenLine}\n${commands}\necho "SUB=$SUB"`;
  const { stdout } = await promisify(execFile)('bash', ['-ec', script]);
  const subscriptionId = /SUB=(\d+)/.exec(stdout)?.[1];
  t.truthy(subscriptionId, stdout);
  const token = tokenLine.slice('TOKEN='.length);
  await waitFor(
    async () => {
      const res = await fetch(`${running.url}/api/v1/subscriptions/${subscriptionId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { licenses: Array<{ status: string }> };
      return body.licenses.length === 4 && body.licenses.every((l) => l.status === 'installed');
    },
    'the pasted order to be installed',
    30_000,
  );
  t.pass();
});
