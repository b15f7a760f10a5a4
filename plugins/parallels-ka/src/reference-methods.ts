import type { BillingType, KeyRecord, LicenseAuthority } from '../../../src/reference-ka/index.js';
import { bool, int, ip, keyDetails, keyNumber, serverAddress, str, strings, struct } from './reference-params.js';
import { ResultCodeError } from './reference-result-codes.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-value.js';

export interface MethodContext {
  authority: LicenseAuthority;
  clientId: number;
}

/** Parameters after AuthInfo → the response struct (resultCode, resultDesc and fields). */
type Handler = (ctx: MethodContext, p: XmlRpcValue[]) => XmlRpcStruct;

const ok = (fields: XmlRpcStruct = {}, resultCode = 100, resultDesc = 'Operation completed'): XmlRpcStruct => ({
  resultCode,
  resultDesc,
  ...fields,
});
const full = (key: KeyRecord): string => `${key.keyNumber}.${key.revision}`;
const dates = (key: KeyRecord): XmlRpcStruct => ({
  keyNumber: full(key),
  expirationDate: key.expiresAt,
  ...(key.updatesUntil ? { updateDate: key.updatesUntil } : {}),
  productKey: key.productKey,
});

/** `purchase` buys one fixed term of the key type; `billing` is a monthly lease the KA renews itself. */
function billing(value: XmlRpcValue | undefined): BillingType {
  const text = str(value, 'licenseType').toLowerCase();
  if (text === 'purchase') return 'PURCHASE';
  if (text === 'billing' || text === 'lease') return 'LEASE';
  throw new ResultCodeError(400, 'licenseType must be purchase or billing');
}

/** createKey, every form: A (4), B (5), C (7), D (8 parameters after AuthInfo). */
const createKey: Handler = ({ authority, clientId }, p) => {
  const server = serverAddress(p[0]);
  const requestedClient = int(p[1], 'clientId', 450);
  if (requestedClient !== clientId && requestedClient !== 0) throw new ResultCodeError(203, 'Not your client');
  const productId = str(p[2], 'keyType');
  const features = strings(p[3], 'upgradePlans');
  const extended = p.length >= 7;
  const mainParams = extended ? struct(p[4], 'CreationParameters') : {};
  const additionalProducts = extended ? strings(p[5], 'additionalKeyTypes') : [];
  const licenseType = p.length === 5 ? p[4] : p.length === 8 ? p[7] : undefined;
  const parent = mainParams.parentKeyNumber ? keyNumber(mainParams.parentKeyNumber) : undefined;
  const billingType = licenseType === undefined ? 'LEASE' : billing(licenseType);
  const created = authority.createKey(clientId, {
    productId,
    features,
    server,
    additionalProducts,
    parentKeyNumber: parent,
    billingType,
    termKind: billingType === 'PURCHASE' ? 'term' : 'lease',
    guid: mainParams.guid ? str(mainParams.guid, 'guid') : undefined,
    hwid: mainParams.hwid ? str(mainParams.hwid, 'hwid') : undefined,
  });
  const fields = {
    mainKeyNumber: full(created.main),
    expirationDate: created.main.expiresAt,
    ...(created.main.updatesUntil ? { updateDate: created.main.updatesUntil } : {}),
    productKey: created.main.productKey,
    additionalKeysNumbers: created.additional.map(full),
  };
  return parent ? ok(fields, 101, 'Additional key created and attached') : ok(fields, 100, 'Key created');
};

const retrieveKey: Handler = ({ authority, clientId }, p) => {
  const file = authority.keyFile(keyNumber(p[0]), clientId, p.length === 2 ? bool(p[1], 'previousVersion') : false);
  return ok({ keyNumber: file.fullKeyNumber, key: file.content, keyExtension: file.extension });
};

const upgradeKey: Handler = ({ authority, clientId }, p) => {
  const plans = Array.isArray(p[1]) ? strings(p[1], 'upgradePlans') : [str(p[1], 'upgradePlan')];
  const { key, changed } = authority.upgradeKey(clientId, keyNumber(p[0]), plans);
  return changed ? ok(dates(key)) : ok(dates(key), 110, 'Key already has the feature');
};

const activateKey: Handler = ({ authority, clientId }, p) => {
  const { key, changed } = authority.activateKey(
    clientId,
    keyNumber(p[0]),
    p[1] === undefined ? undefined : str(p[1], 'uid'),
  );
  return ok({ keyNumber: full(key) }, changed ? 100 : 110, changed ? 'Key activated' : 'Key already activated there');
};

/** Every method, by name and then by parameter count after AuthInfo. */
export const METHODS: Record<string, Record<number, Handler>> = {
  createKey: { 4: createKey, 5: createKey, 7: createKey, 8: createKey },
  retrieveKey: { 1: retrieveKey, 2: retrieveKey },
  getKeyInfo: {
    1: ({ authority, clientId }, p) =>
      ok({ keyInfo: keyDetails(authority, authority.getKey(keyNumber(p[0]), clientId)) }),
  },
  getKeyNumbers: {
    1: ({ authority, clientId }, p) => {
      const keys = authority.findKeysByServer(serverAddress(p[0]), clientId);
      const keyInfos = keys.map((k) => ({
        keyNumber: full(k),
        // The API name: what createKey takes, so a client can match it without a lookup table.
        keyType: k.productId,
        type: k.kind,
        createDate: k.createdAt,
        terminated: k.terminated,
        billingType: k.billingType,
      }));
      const fields = { keyNumbers: keys.map(full), keyInfos };
      return keys.length ? ok(fields) : ok(fields, 101, 'No keys found');
    },
  },
  getKeysInfoByIP: {
    1: ({ authority, clientId }, p) => {
      const keys = authority.findKeysByIp(ip(p[0]), clientId).map((k) => keyDetails(authority, k));
      return keys.length ? ok({ keysInfo: keys }) : ok({ keysInfo: [] }, 101, 'No keys bound to this IP');
    },
  },
  upgradeKey: { 2: upgradeKey, 3: upgradeKey },
  downgradeKey: {
    2: ({ authority, clientId }, p) => {
      const { key, changed } = authority.downgradeKey(clientId, keyNumber(p[0]), str(p[1], 'upgradePlan'));
      return ok({ keyNumber: full(key) }, changed ? 100 : 110, changed ? 'Key downgraded' : 'Key lacks the feature');
    },
  },
  renewKey: {
    1: ({ authority, clientId }, p) => ok(dates(authority.renewKey(clientId, keyNumber(p[0]))), 100, 'Key renewed'),
  },
  terminateKey: {
    1: ({ authority, clientId }, p) => {
      const { key, changed } = authority.terminateKey(clientId, keyNumber(p[0]));
      return ok({ keyNumber: full(key) }, changed ? 100 : 110, changed ? 'Key terminated' : 'Key already terminated');
    },
  },
  activateKey: { 1: activateKey, 2: activateKey },
  resetKey: {
    1: ({ authority, clientId }, p) => ok({ keyNumber: full(authority.resetKey(clientId, keyNumber(p[0]))) }),
  },
  bindKey: {
    2: ({ authority, clientId }, p) => {
      const { key, unbound } = authority.bindKey(clientId, keyNumber(p[0]), ip(p[1]));
      return unbound
        ? ok({ keyNumber: full(key) }, 101, `Key bound; ${unbound} unbound`)
        : ok({ keyNumber: full(key) });
    },
  },
  unbindKey: {
    1: ({ authority, clientId }, p) => {
      const { key, changed } = authority.unbindKey(clientId, keyNumber(p[0]));
      return ok({ keyNumber: full(key) }, changed ? 100 : 101, changed ? 'Key unbound' : 'Key already unbound');
    },
  },
  attachKey: {
    2: ({ authority, clientId }, p) => {
      authority.attachKey(clientId, keyNumber(p[0]), keyNumber(p[1]));
      return ok({}, 100, 'Key attached');
    },
  },
  detachKey: {
    1: ({ authority, clientId }, p) => {
      authority.detachKey(clientId, keyNumber(p[0]));
      return ok({}, 100, 'Key detached');
    },
  },
  addNoteToKey: {
    2: ({ authority, clientId }, p) => {
      authority.addNote(clientId, keyNumber(p[0]), str(p[1], 'note'));
      return ok({}, 100, 'Note added');
    },
  },
  getAvailableKeyTypesAndFeatures: {
    1: ({ authority, clientId }, p) => {
      const requested = int(p[0], 'clientId', 450);
      if (requested !== clientId && requested !== 0) throw new ResultCodeError(203, 'Not your client');
      const products = authority.listProducts();
      const features = [...new Set(products.flatMap((product) => product.features.map((f) => f.id)))];
      return ok({ keyTypes: products.map((product) => product.id), features });
    },
  },
  getAvailableUpgrades: {
    1: ({ authority, clientId }, p) => ok({ upgradePlans: authority.availableUpgrades(clientId, keyNumber(p[0])) }),
  },
  validateLogin: { 0: () => ok({}, 100, 'Login is valid') },
};
