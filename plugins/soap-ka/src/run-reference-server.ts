/**
 * Run the reference SOAP KA on its own, for the demo and plugin authors:
 *   node --import=tsx plugins/soap-ka/src/run-reference-server.ts [port]
 * Seeds the demo account and the subscription key types; prints the URL and the credentials.
 */
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import { startReferenceSoapKa } from './reference-server.js';

const port = Number(process.argv[2] ?? 7060);
const ka = await startReferenceSoapKa({ port });
process.stdout.write(
  `Reference KA (SOAP) on ${ka.url} (WSDL: ${ka.url}?wsdl) — login ${DEMO_ACCOUNT.login}, password ${DEMO_ACCOUNT.password}\n`,
);
const stop = (): void => {
  void ka.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
