import type { KeyRecord } from './authority-types.js';
import { AuthorityError } from './authority-error.js';
import { formatKeyNumber, isProductKey, parseKeyNumber } from './key-number.js';

/** The authority's keys in memory, with the lookups the protocols need. */
export class KeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly sequences = new Map<string, number>();
  /** Called with each key before a lookup answers it (the authority catches leases up there). */
  onRead?: (key: KeyRecord) => void;

  nextKeyNumber(prefix: string): string {
    const next = (this.sequences.get(prefix) ?? 0) + 1;
    this.sequences.set(prefix, next);
    return formatKeyNumber(prefix, next);
  }

  put(key: KeyRecord): void {
    this.keys.set(key.keyNumber, key);
  }

  /** By key number (with or without revision) or activation code. */
  find(keyOrCode: string): KeyRecord | undefined {
    const key = this.lookUp(keyOrCode);
    if (key) this.onRead?.(key);
    return key;
  }

  private lookUp(keyOrCode: string): KeyRecord | undefined {
    const parsed = parseKeyNumber(keyOrCode);
    if (parsed) return this.keys.get(parsed.keyNumber);
    const code = keyOrCode.trim().toUpperCase();
    if (!isProductKey(code)) return undefined;
    return [...this.keys.values()].find((key) => key.productKey === code);
  }

  /** Like `find`, but refuses unknown keys and keys of another client. */
  get(keyOrCode: string, clientId?: number): KeyRecord {
    const key = this.find(keyOrCode);
    if (!key) throw new AuthorityError('key_not_found', `Key ${keyOrCode} not found`);
    if (clientId !== undefined && key.clientId !== clientId) {
      throw new AuthorityError('permission_denied', `Key ${keyOrCode} belongs to another client`);
    }
    return key;
  }

  all(): KeyRecord[] {
    const keys = [...this.keys.values()];
    for (const key of keys) this.onRead?.(key);
    return keys;
  }

  /** Keys created for a server with any of these IPs or MACs, or bound to one of the IPs. */
  byServer(server: { ips: string[]; macs: string[] }, clientId?: number): KeyRecord[] {
    const ips = new Set(server.ips);
    const macs = new Set(server.macs.map((mac) => mac.toLowerCase()));
    return this.all().filter(
      (key) =>
        (clientId === undefined || key.clientId === clientId) &&
        (key.server.ips.some((ip) => ips.has(ip)) ||
          key.server.macs.some((mac) => macs.has(mac.toLowerCase())) ||
          (key.boundIp !== undefined && ips.has(key.boundIp))),
    );
  }

  byExternalId(externalId: string, clientId?: number): KeyRecord[] {
    return this.all().filter(
      (key) => key.externalId === externalId && (clientId === undefined || key.clientId === clientId),
    );
  }

  byBoundIp(ip: string, clientId?: number): KeyRecord[] {
    return this.all().filter((key) => key.boundIp === ip && (clientId === undefined || key.clientId === clientId));
  }
}
