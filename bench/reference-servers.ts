/**
 * The KA side of the benchmark in its own process, as a real KA would be: the reference
 * XML-RPC KA and an install target. Prints their URLs as one JSON line; answers on stdin
 * `keys` with the number of keys at the KA, `renewals` with the renewals it applied (keys
 * renewed, renewals, keys renewed more than once), `calls` with the partner calls it received
 * per client since the last `reset-calls` (`KaCallLog`), and `expire <ms> <key>…` by
 * moving those keys' expiry by `ms` in its store (the vendor correcting an expiry, which no
 * protocol call does). With an argument n, n KAs (`kas`, each its own authority; `ka` is the
 * first), as a migration between two servers needs.
 */
import readline from 'node:readline';
import { startReferenceXmlRpcKa } from '../plugins/parallels-ka/src/reference-server.js';
import {
  type AuthorityAccount,
  type KeyRecord,
  LicenseAuthority,
  startInstallTargetServer,
} from '../src/reference-ka/index.js';
import { KaCallLog } from './ka-call-log.js';

/**
 * The demo authority, counting the renewals it applies per key (a refused one is not applied)
 * and when each client's calls arrived: every partner call authenticates, and `getKeyInfo`
 * is the only one that reads a key with the caller's client id.
 */
class CountingAuthority extends LicenseAuthority {
  readonly renewalsByKey = new Map<string, number>();
  readonly callLog = new KaCallLog();

  override renewKey(...args: Parameters<LicenseAuthority['renewKey']>): ReturnType<LicenseAuthority['renewKey']> {
    const key = super.renewKey(...args);
    this.renewalsByKey.set(key.keyNumber, (this.renewalsByKey.get(key.keyNumber) ?? 0) + 1);
    return key;
  }

  override authenticate(login: string, password: string): AuthorityAccount {
    const account = super.authenticate(login, password);
    this.callLog.call(account.clientId);
    return account;
  }

  override getKey(keyOrCode: string, clientId?: number): KeyRecord {
    const key = super.getKey(keyOrCode, clientId);
    if (clientId !== undefined) this.callLog.keyRead(clientId);
    return key;
  }

  /** Moves each key's expiry by `ms`; answers how many it found. */
  moveExpiry(keyNumbers: string[], ms: number): number {
    let moved = 0;
    for (const number of keyNumbers) {
      const key = this.store.find(number);
      if (!key) continue;
      key.expiresAt = new Date(key.expiresAt.getTime() + ms);
      moved += 1;
    }
    return moved;
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
  if (line === 'calls') process.stdout.write(`${JSON.stringify(authority.callLog.counts())}\n`);
  if (line === 'reset-calls') {
    authority.callLog.clear();
    process.stdout.write(`${JSON.stringify({ reset: true })}\n`);
  }
  if (line.startsWith('expire ')) {
    const [, ms, ...keys] = line.split(' ');
    process.stdout.write(`${JSON.stringify({ moved: authority.moveExpiry(keys, Number(ms)) })}\n`);
  }
  if (line === 'quit') break;
}
await Promise.all([ka.close(), ...others.map((k) => k.close()), target.close()]);
process.exit(0);
