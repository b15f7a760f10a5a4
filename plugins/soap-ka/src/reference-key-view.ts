import { type LicenseAuthority, MAX_ACTIVATION_MOVES, type KeyRecord } from '../../../src/reference-ka/index.js';

/** Drop undefined members: the soap serializer would write them as empty elements. */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A key as the WSDL's `Key` type, members in schema order. Dates as ISO strings. */
export function keyView(authority: LicenseAuthority, key: KeyRecord): Record<string, unknown> {
  const product = authority.getProduct(key.productId);
  const unit = product.quotaLimit;
  const reserved = key.reserves ?? product.reserves;
  let quota: number | undefined;
  let quotaReserved: number | undefined;
  if (key.kind === 'MAIN' && unit) {
    quota = Number(key.limits[unit] ?? 0);
    quotaReserved = quota - (authority.remainingQuota(key.keyNumber)[unit] ?? quota);
  } else if (key.kind === 'ADDITIONAL' && reserved) {
    // A sublicense's quota is what it reserves of its parent.
    quota = Object.values(reserved)[0];
  }
  return compact({
    KeyNumber: key.keyNumber,
    FullKeyNumber: `${key.keyNumber}.${key.revision}`,
    ActivationCode: key.productKey,
    ExternalId: key.externalId,
    Product: key.productId,
    Kind: key.kind === 'MAIN' ? 'PRIMARY' : 'ADDITIONAL',
    ParentKeyNumber: key.parentKeyNumber,
    Name: key.name,
    Status: authority.keyStatus(key.keyNumber).toUpperCase(),
    Quota: quota,
    QuotaReserved: quotaReserved,
    QuotaUnit: quota === undefined ? undefined : (unit ?? Object.keys(reserved ?? {})[0]),
    PeriodMonths: key.periodMonths,
    TermKind: key.termKind.toUpperCase(),
    CreatedAt: key.createdAt.toISOString(),
    ExpiresAt: key.expiresAt.toISOString(),
    GraceEndsAt: authority.graceEnd(key).toISOString(),
    UpdatesUntil: key.updatesUntil?.toISOString(),
    RenewWithSubscription: key.kind === 'ADDITIONAL' ? Boolean(key.renewWithParent) : undefined,
    Features: { Feature: key.features },
    AdditionalKeys: { KeyNumber: key.additionalKeyNumbers },
    Activation: compact({
      InstallationId: key.activation.installationId,
      Moves: key.activation.moves,
      MovesLeft: MAX_ACTIVATION_MOVES - key.activation.moves,
    }),
  });
}
