/**
 * Run the reference Partner API 3.0 KA on its own, for the demo and plugin authors:
 *   node --import=tsx plugins/rest-ka/src/run-reference-server.ts [port]
 * Seeds the demo account and the container key types; prints the URL and the credentials.
 * Keys live in memory: they are gone when it stops.
 */
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import { startReferenceRestKa } from './reference-server.js';

const port = Number(process.argv[2] ?? 7070);
const ka = await startReferenceRestKa({ port });
process.stdout.write(
  `Reference KA (Partner API 3.0, REST) on ${ka.url}/30/ — login ${DEMO_ACCOUNT.login}, password ${DEMO_ACCOUNT.password}\n`,
);
const stop = (): void => {
  void ka.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
