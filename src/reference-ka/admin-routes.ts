import type http from 'node:http';
import { AuthorityError } from './authority-error.js';
import type { ProductDefinition } from './authority-types.js';
import { HOSTILE_SHAPES, type InjectedFault } from './fault-injector.js';
import type { LicenseAuthority } from './license-authority.js';

type Answer = [status: number, body: unknown];

/** One per fault kind: a kind added to `InjectedFault` without a line here does not compile. */
const KIND_NAMES: Record<InjectedFault['kind'], true> = {
  latency: true,
  result: true,
  drop: true,
  malformed: true,
  oversize: true,
  hostile: true,
  status: true,
  fileName: true,
};
const KINDS = new Set(Object.keys(KIND_NAMES));
const DAY_MS = 24 * 60 * 60 * 1000;

function clockState(authority: LicenseAuthority): { now: string; shiftedMs: number } {
  const now = authority.now();
  return { now: now.toISOString(), shiftedMs: authority.clockShiftMs() };
}

/**
 * The admin surface of the reference KA's fronts, not part of any protocol: seed accounts and
 * key types, read keys, arm and clear faults. JSON in and out. `operationOf` turns the
 * `method` a client names into the operation the front arms faults on (the XML-RPC front
 * strips `partner10.`; the SOAP front takes WSDL operation names as they are).
 *
 * - `GET  /_reference/keys` · `GET /_reference/products` · `GET /_reference/faults`
 * - `GET  /_reference/public-key` (PEM that verifies key files)
 * - `POST /_reference/accounts` `{login, password, clientId}`
 * - `POST /_reference/products` a `ProductDefinition`
 * - `POST /_reference/faults` `{method, fault, times?}` (`fault` an `InjectedFault`, e.g.
 *   `{kind: 'hostile', shape: 'nested', bytes: 900000}`)
 * - `DELETE /_reference/faults`
 * - `GET  /_reference/clock` → `{now, shiftedMs}`: the authority's time
 * - `POST /_reference/clock` `{advanceDays?, advanceMs?}` moves it forward (never back): leases
 *   whose period passed renew themselves (new expiry, new file revision), keys expire, enter
 *   grace and lapse as they would, active farms report every 20 minutes
 * - `POST /_reference/keys/:key/activations` `{serverId, farmName?, appVersion?, usage?}`: an
 *   installation activates the key (a farm); a different server than the last is a move, at
 *   most 3 (`activation_limit`, 409); a key active elsewhere is refused (`hwid_in_use`, 409)
 * - `GET /_reference/keys/:key/activations` the key's farms · `DELETE` the same path deactivates
 *   its active farm (the key becomes free)
 * - `POST /_reference/keys/:key/usage` `{usage?, reporting?}`: the usage (concurrent users) its
 *   active farm reports from its next report on (its peak usage); `reporting: false` stops its
 *   reports (a SaaS key expires after 7 days without one), `true` restarts them at once. Usage
 *   above the key's quota starts its 7-day overuse grace; past it the farm is held deactivated
 *   (`overuseDeactivated`) while over and reactivated once at or under the quota
 * - `GET /_reference/keys/:key/usage` its day peaks (`{day: {peak, serverId, lastReportAt}}`),
 *   its overuse and, for a SaaS key, when it expired for lack of reports
 * - `POST /_reference/keys/:key/terminate` · `POST /_reference/keys/:key/suspend` `{suspended?}`
 *   (default true) · `POST /_reference/keys/:key/features` `{add?, remove?}` (feature ids): the
 *   vendor changing a key directly, without the partner (what Keyway's sync finds)
 */
export function handleAdmin(
  authority: LicenseAuthority,
  method: string,
  path: string,
  body: unknown,
  res: http.ServerResponse,
  operationOf: (method: string) => string = (name) => name,
): void {
  if (`${method} ${path}` === 'GET /_reference/public-key') {
    res.writeHead(200, { 'content-type': 'application/x-pem-file' });
    res.end(authority.publicKeyPem);
    return;
  }
  const trimmed = path.replace(/\/+$/, '');
  const [status, answer] =
    keyRoute(authority, method, trimmed, body) ?? route(authority, `${method} ${trimmed}`, body, operationOf);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer));
}

const KEY_ROUTE = /^\/_reference\/keys\/([^/]+)\/(activations|usage|terminate|suspend|features)$/;

/** The vendor-side installation's knobs on one key; `undefined` for any other path. */
function keyRoute(authority: LicenseAuthority, method: string, path: string, body: unknown): Answer | undefined {
  const match = KEY_ROUTE.exec(path);
  if (!match) return undefined;
  const [, encoded = '', what] = match;
  const input = (body ?? {}) as Record<string, unknown>;
  try {
    const key = authority.getKey(decodeURIComponent(encoded));
    const farms = () => authority.getKey(key.keyNumber).farms;
    switch (`${method} ${what}`) {
      case 'GET activations':
        return [200, farms()];
      case 'POST activations': {
        const { serverId, farmName, appVersion, usage } = input;
        if (typeof serverId !== 'string' || serverId.length === 0) return [400, { error: 'serverId is required' }];
        authority.activateKey(key.clientId, key.keyNumber, serverId, {
          farmName: typeof farmName === 'string' ? farmName : undefined,
          appVersion: typeof appVersion === 'string' ? appVersion : undefined,
          usage: typeof usage === 'number' ? usage : undefined,
        });
        return [201, farms()];
      }
      case 'DELETE activations':
        authority.deactivateKey(key.clientId, key.keyNumber);
        return [200, farms()];
      case 'POST usage': {
        const { usage, reporting } = input;
        if (usage === undefined && typeof reporting !== 'boolean')
          return [400, { error: 'usage (a whole number) or reporting (a boolean) is required' }];
        if (reporting !== undefined && typeof reporting !== 'boolean')
          return [400, { error: 'reporting must be a boolean' }];
        if (usage !== undefined) authority.setFarmUsage(key.clientId, key.keyNumber, Number(usage));
        if (typeof reporting === 'boolean') authority.setFarmReporting(key.clientId, key.keyNumber, reporting);
        return [200, farms()];
      }
      case 'GET usage': {
        const now = authority.getKey(key.keyNumber);
        return [200, { usageDays: now.usageDays ?? {}, overuse: now.overuse ?? {}, saasExpiredAt: now.saasExpiredAt }];
      }
      // The vendor acting on a key behind the partner's back: what a sync must find.
      case 'POST terminate':
        return [200, authority.terminateKey(key.clientId, key.keyNumber).key];
      case 'POST suspend':
        return [200, authority.setSuspended(key.clientId, key.keyNumber, input.suspended !== false).key];
      case 'POST features': {
        const add = Array.isArray(input.add) ? input.add.map(String) : [];
        const remove = Array.isArray(input.remove) ? input.remove.map(String) : [];
        if (add.length) authority.upgradeKey(key.clientId, key.keyNumber, add);
        for (const feature of remove) authority.downgradeKey(key.clientId, key.keyNumber, feature);
        return [200, authority.getKey(key.keyNumber)];
      }
      default:
        return [405, { error: `${method} is not allowed on ${path}` }];
    }
  } catch (error) {
    if (!(error instanceof AuthorityError)) throw error;
    const status = error.code === 'key_not_found' ? 404 : error.code === 'bad_request' ? 400 : 409;
    return [status, { error: error.message, code: error.code }];
  }
}

function route(
  authority: LicenseAuthority,
  route: string,
  body: unknown,
  operationOf: (method: string) => string,
): Answer {
  const input = (body ?? {}) as Record<string, unknown>;
  switch (route) {
    case 'GET /_reference/keys':
      return [200, authority.listKeys()];
    case 'GET /_reference/products':
      return [200, authority.listProducts()];
    case 'GET /_reference/faults':
      return [200, authority.listFaults()];
    case 'POST /_reference/accounts': {
      const { login, password, clientId } = input;
      if (typeof login !== 'string' || typeof password !== 'string' || typeof clientId !== 'number') {
        return [400, { error: 'login, password (strings) and clientId (number) are required' }];
      }
      authority.addAccount({ login, password, clientId });
      return [201, { login, clientId }];
    }
    case 'POST /_reference/products': {
      const product = input as Partial<ProductDefinition>;
      if (
        typeof product.id !== 'string' ||
        typeof product.prefix !== 'string' ||
        !/^[A-Z][A-Z0-9]{1,9}$/.test(product.prefix)
      ) {
        return [400, { error: 'id and an upper-case prefix are required' }];
      }
      authority.addProduct({
        ...product,
        id: product.id,
        prefix: product.prefix,
        name: product.name ?? product.id,
        kind: product.kind ?? 'MAIN',
        family: product.family ?? 'plesk',
        versions: product.versions ?? '*',
        termMonths: product.termMonths ?? 1,
        updatesMonths: product.updatesMonths ?? null,
        limits: product.limits ?? {},
        features: product.features ?? [],
      });
      return [201, { id: product.id }];
    }
    case 'POST /_reference/faults': {
      const fault = input.fault as InjectedFault | undefined;
      if (typeof input.method !== 'string' || !fault || !KINDS.has(fault.kind)) {
        return [400, { error: `method and fault {kind: ${[...KINDS].join('|')}} are required` }];
      }
      if (fault.kind === 'hostile' && !HOSTILE_SHAPES.includes(fault.shape)) {
        return [400, { error: `fault.shape must be one of ${HOSTILE_SHAPES.join(', ')}` }];
      }
      const times = typeof input.times === 'number' ? input.times : undefined;
      authority.injectFault(operationOf(input.method), fault, { times });
      return [201, { armed: operationOf(input.method) }];
    }
    case 'GET /_reference/clock':
      return [200, clockState(authority)];
    case 'POST /_reference/clock': {
      const days = input.advanceDays ?? 0;
      const ms = input.advanceMs ?? 0;
      if (typeof days !== 'number' || typeof ms !== 'number' || days < 0 || ms < 0 || days + ms === 0) {
        return [
          400,
          { error: 'advanceDays or advanceMs (a number above 0) is required: the clock only moves forward' },
        ];
      }
      authority.advanceClock(days * DAY_MS + ms);
      return [200, clockState(authority)];
    }
    case 'DELETE /_reference/faults':
      authority.clearFaults();
      return [200, { cleared: true }];
    default:
      return [404, { error: `No admin route ${route}` }];
  }
}
