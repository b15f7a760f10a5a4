/**
 * The KA side of the benchmark in its own process, as a real KA would be: the reference
 * XML-RPC KA and an install target. Prints their URLs as one JSON line; answers on stdin
 * `keys` with the number of keys at the KA, and `renewals` with the renewals it applied
 * (keys renewed, renewals, keys renewed more than once). With an argument n, n KAs (`kas`,
 * each its own authority; `ka` is the first), as a migration between two servers needs.
 */
import readline from 'node:readline';
import { startReferenceXmlRpcKa } from '../plugins/parallels-ka/src/reference-server.js';
import { LicenseAuthority, startInstallTargetServer } from '../src/reference-ka/index.js';

/** The demo authority, counting the renewals it applies per key (a refused one is not applied). */
class CountingAuthority extends LicenseAuthority {
  readonly renewalsByKey = new Map<string, number>();

  override renewKey(...args: Parameters<LicenseAuthority['renewKey']>): ReturnType<LicenseAuthority['renewKey']> {
    const key = super.renewKey(...args);
    this.renewalsByKey.set(key.keyNumber, (this.renewalsByKey.get(key.keyNumber) ?? 0) + 1);
    return key;
  }
}

const authority = new CountingAuthority({ demo: true });
const ka = await startReferenceXmlRpcKa({ authority });
const others = await Promise.all(
  Array.from({ length: Math.max(0, Number(process.argv[2] ?? 1) - 1) }, () => startReferenceXmlRpcKa()),
);
const target = await startInstallTargetServer({ token: 'bench' });
const kas = [ka, ...others].map((k) => k.url);
process.stdout.write(`${JSON.stringify({ ka: ka.url, kas, target: target.url })}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'keys') process.stdout.write(`${JSON.stringify({ keys: ka.authority.listKeys().length })}\n`);
  if (line === 'renewals') {
    const counts = [...authority.renewalsByKey.values()];
    const answer = {
      keys: counts.length,
      renewals: counts.reduce((a, b) => a + b, 0),
      keysRenewedTwice: counts.filter((n) => n > 1).length,
    };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  if (line === 'quit') break;
}
await Promise.all([ka.close(), ...others.map((k) => k.close()), target.close()]);
process.exit(0);
