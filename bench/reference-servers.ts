/**
 * The KA side of the benchmark in its own process, as a real KA would be: the reference
 * XML-RPC KA and an install target. Prints their URLs as one JSON line; answers `keys` on
 * stdin with the number of keys at the KA.
 */
import readline from 'node:readline';
import { startReferenceXmlRpcKa } from '../plugins/parallels-ka/src/reference-server.js';
import { startInstallTargetServer } from '../src/reference-ka/index.js';

const ka = await startReferenceXmlRpcKa();
const target = await startInstallTargetServer({ token: 'bench' });
process.stdout.write(`${JSON.stringify({ ka: ka.url, target: target.url })}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'keys') process.stdout.write(`${JSON.stringify({ keys: ka.authority.listKeys().length })}\n`);
  if (line === 'quit') break;
}
await Promise.all([ka.close(), target.close()]);
process.exit(0);
