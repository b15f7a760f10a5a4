import { AuthorityError, type LicenseAuthority } from '../../../src/reference-ka/index.js';
import { type Args, boolean, dateTime, integer, list, requiredInteger, requiredText, text } from './reference-args.js';
import { compact, keyView } from './reference-key-view.js';

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
    const expiresAt = dateTime(args, 'ExpiresAt');
    const key = authority.createAdditionalKey(clientId, requiredText(args, 'ParentKeyNumber'), {
      productId: text(args, 'Product'),
      quota: checkedQuota(requiredInteger(args, 'Quota')),
      externalId: text(args, 'ExternalId'),
      name: text(args, 'Name'),
      expiresAt,
      // Without an expiry of its own, a sublicense lives as long as its subscription.
      renewWithParent: expiresAt ? false : (boolean(args, 'RenewWithSubscription') ?? true),
    });
    return keyAnswer(authority, key.keyNumber);
  },

  ModifyAdditionalKey: (authority, clientId, args) => {
    const quota = integer(args, 'Quota');
    const key = authority.modifyAdditionalKey(clientId, requiredText(args, 'KeyNumber'), {
      quota: quota === undefined ? undefined : checkedQuota(quota),
      name: text(args, 'Name'),
    });
    return keyAnswer(authority, key.keyNumber);
  },

  DeleteAdditionalKey: (authority, clientId, args) =>
    keyAnswer(authority, authority.deleteAdditionalKey(clientId, requiredText(args, 'KeyNumber')).key.keyNumber),

  ListActivations: (authority, clientId, args) => ({
    Farm: authority
      .farmsOf(requiredText(args, 'KeyNumber'), clientId)
      .map(({ activationKey, farm, moves, movesLeft }) =>
        compact({
          ActivationKey: activationKey,
          FarmName: farm.farmName,
          Status: farm.status.toUpperCase(),
          ServerId: farm.serverId,
          AppVersion: farm.appVersion,
          ActivatedAt: farm.activatedAt.toISOString(),
          DeactivatedAt: farm.deactivatedAt?.toISOString(),
          LastReportAt: farm.lastReportAt.toISOString(),
          PeakUsage: farm.peakUsage,
          Moves: moves,
          MovesLeft: movesLeft,
          OveruseDeactivated: farm.overuseDeactivated === true,
        }),
      ),
  }),

  GetUsage: (authority, clientId, args) => {
    const since = dateTime(args, 'Since');
    if (!since) throw new AuthorityError('bad_request', 'Since is required');
    const keys = list({ Keys: args }, 'Keys', 'KeyNumber');
    return {
      UsageDay: authority.usageSince(clientId, since, keys.length ? keys : undefined).map((d) =>
        compact({
          KeyNumber: d.keyNumber,
          Day: d.day,
          Peak: d.peak,
          InstallationId: d.serverId,
          LastReportAt: d.lastReportAt.toISOString(),
          Quota: d.quota,
        }),
      ),
    };
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
      {
        farmName: text(args, 'FarmName'),
        appVersion: text(args, 'AppVersion'),
      },
    );
    return keyAnswer(authority, key.keyNumber);
  },

  /** Frees the key of its farm; a key with no active farm (or a deleted sublicense) stays as it is. */
  DeactivateKey: (authority, clientId, args) =>
    keyAnswer(authority, authority.deactivateKey(clientId, requiredText(args, 'KeyNumber')).key.keyNumber),
};

function checkedQuota(quota: number): number {
  if (quota < 1) throw new AuthorityError('bad_request', 'Quota must be at least 1');
  return quota;
}
