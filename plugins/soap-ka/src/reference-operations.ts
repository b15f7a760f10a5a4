import { AuthorityError, type LicenseAuthority } from '../../../src/reference-ka/index.js';
import { type Args, boolean, dateTime, integer, list, requiredInteger, requiredText, text } from './reference-args.js';
import { keyView } from './reference-key-view.js';

type Operation = (authority: LicenseAuthority, clientId: number, args: Args) => Record<string, unknown>;

const keyAnswer = (authority: LicenseAuthority, keyNumber: string): Record<string, unknown> => ({
  Key: keyView(authority, authority.getKey(keyNumber)),
});

/**
 * The SOAP KA's operations over the authority, by WSDL operation name. Each gets the
 * authenticated partner's client id and the request element; returns the response element's
 * members. Refusals are thrown as `AuthorityError` and become SOAP faults.
 */
export const OPERATIONS: Record<string, Operation> = {
  Ping: (authority, clientId) => ({ ServerTime: authority.now().toISOString(), ClientId: clientId }),

  ListProducts: (authority) => ({
    Product: authority.listProducts().map((p) => ({
      Id: p.id,
      Name: p.name,
      Kind: p.kind === 'MAIN' ? 'PRIMARY' : 'ADDITIONAL',
      ...(p.quotaLimit ? { QuotaUnit: p.quotaLimit } : {}),
      Feature: p.features.map((f) => ({ Id: f.id, Name: f.name })),
    })),
  }),

  CreateKey: (authority, clientId, args) => {
    const externalId = requiredText(args, 'ExternalId');
    const before = authority.findKeysByExternalId(externalId, clientId).length;
    const { main } = authority.createKey(clientId, {
      productId: requiredText(args, 'Product'),
      externalId,
      quota: requiredInteger(args, 'Quota'),
      periodMonths: integer(args, 'PeriodMonths'),
      features: list(args, 'Features', 'Feature'),
    });
    return {
      Key: keyView(authority, main),
      Created: authority.findKeysByExternalId(externalId, clientId).length > before,
    };
  },

  FindKeysByExternalId: (authority, clientId, args) => ({
    Key: authority.findKeysByExternalId(requiredText(args, 'ExternalId'), clientId).map((k) => keyView(authority, k)),
  }),

  GetKey: (authority, clientId, args) => ({
    Key: keyView(authority, authority.getKey(requiredText(args, 'KeyNumber'), clientId)),
  }),

  RetrieveLicenseFile: (authority, clientId, args) => {
    const file = authority.keyFile(requiredText(args, 'KeyNumber'), clientId);
    return {
      LicenseFile: {
        KeyNumber: file.keyNumber,
        FullKeyNumber: file.fullKeyNumber,
        FileName: `${file.keyNumber}.${file.extension}`,
        ContentType: file.extension === 'xml' ? 'application/xml' : 'application/octet-stream',
        Content: file.content.toString('base64'),
      },
    };
  },

  CreateAdditionalKey: (authority, clientId, args) => {
    const parent = authority.getKey(requiredText(args, 'ParentKeyNumber'), clientId);
    const unit = authority.getProduct(parent.productId).quotaLimit ?? 'users';
    const expiresAt = dateTime(args, 'ExpiresAt');
    if (expiresAt && expiresAt.getTime() <= authority.now().getTime())
      throw new AuthorityError('bad_request', 'ExpiresAt must be in the future');
    const { main } = authority.createKey(clientId, {
      productId: requiredText(args, 'Product'),
      parentKeyNumber: parent.keyNumber,
      externalId: text(args, 'ExternalId'),
      reserves: { [unit]: checkedQuota(requiredInteger(args, 'Quota')) },
      expiresAt,
      // Without an expiry of its own, a sublicense lives as long as its subscription.
      renewWithParent: expiresAt ? false : (boolean(args, 'RenewWithSubscription') ?? true),
    });
    return keyAnswer(authority, main.keyNumber);
  },

  ChangeQuota: (authority, clientId, args) => {
    const key = authority.changeQuota(clientId, requiredText(args, 'KeyNumber'), requiredInteger(args, 'Quota'));
    return keyAnswer(authority, key.keyNumber);
  },

  RenewKey: (authority, clientId, args) => {
    const keyNumber = requiredText(args, 'KeyNumber');
    if (authority.getKey(keyNumber, clientId).renewWithParent) {
      throw new AuthorityError('renew_refused', `Key ${keyNumber} renews with its subscription`);
    }
    const key = authority.renewKey(clientId, keyNumber, integer(args, 'PeriodMonths'));
    return keyAnswer(authority, key.keyNumber);
  },

  SuspendKey: (authority, clientId, args) =>
    keyAnswer(authority, authority.setSuspended(clientId, requiredText(args, 'KeyNumber'), true).key.keyNumber),

  ResumeKey: (authority, clientId, args) =>
    keyAnswer(authority, authority.setSuspended(clientId, requiredText(args, 'KeyNumber'), false).key.keyNumber),

  TerminateKey: (authority, clientId, args) => {
    const { key } = authority.terminateKey(clientId, requiredText(args, 'KeyNumber'));
    // Sublicenses cannot outlive their subscription.
    for (const child of key.additionalKeyNumbers) authority.terminateKey(clientId, child);
    return keyAnswer(authority, key.keyNumber);
  },

  ActivateKey: (authority, clientId, args) => {
    const { key } = authority.activateKey(
      clientId,
      requiredText(args, 'KeyNumber'),
      requiredText(args, 'InstallationId'),
    );
    return keyAnswer(authority, key.keyNumber);
  },

  DeactivateKey: (authority, clientId, args) =>
    keyAnswer(authority, authority.resetKey(clientId, requiredText(args, 'KeyNumber')).keyNumber),
};

function checkedQuota(quota: number): number {
  if (quota < 1) throw new AuthorityError('bad_request', 'Quota must be at least 1');
  return quota;
}
