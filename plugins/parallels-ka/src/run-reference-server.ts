/**
 * Run the reference XML-RPC KA on its own, for the demo and plugin authors:
 *   node --import=tsx plugins/parallels-ka/src/run-reference-server.ts [port]
 * Seeds the demo account and key types; prints the URL and the credentials.
 */
import { DEMO_ACCOUNT } from '../../../src/reference-ka/index.js';
import { startReferenceXmlRpcKa } from './reference-server.js';

const port = Number(process.argv[2] ?? 7050);
const ka = await startReferenceXmlRpcKa({ port });
process.stdout.write(
  `Reference KA (XML-RPC) on ${ka.url}/xmlrpc — login ${DEMO_ACCOUNT.login}, password ${DEMO_ACCOUNT.password}, clientId ${DEMO_ACCOUNT.clientId}\n`,
);
const stop = (): void => {
  void ka.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
