import { admins, operators, readers, type RoleName } from './principal.js';

/**
 * Who may do what, through the API and the console alike: an API route declares its roles from
 * here and the console guards its handler and hides its buttons by the same entry, so the two
 * cannot answer a caller differently. Reading provider-wide data is `readers`.
 */
export const permissions = {
  /**
   * License files activate what the customer paid for: a viewer reads that one exists, never its
   * content; a customer token downloads its own (another customer's answers 404).
   */
  downloadLicenseFile: [...operators, 'customer'] as RoleName[],
  /** A license, its additional keys and its farms: staff read every one, a customer token its own. */
  readLicenses: [...readers, 'customer'] as RoleName[],
  /** Suspend, resume, terminate or renew a key at its KA, and settle an operation by hand. */
  actOnLicense: operators,
  /** Sync a license with its KA, and resolve a difference (accept the KA's facts or push Keyway's). */
  syncLicense: operators,
  /** Migrate licenses to another KA configuration (a dry run, then a bulk job). */
  migrateLicenses: operators,
  /** Move a license to another customer or subscription. */
  transferLicense: operators,
  /** New License (request or upload), and staff work on requests: upload, install, retry, cancel. */
  workOnLicenseRequests: operators,
  /**
   * Buy more (or fewer) licenses of a running subscription: place an upgrade or downgrade order
   * (a store for the subscriptions it sold, a customer token for its own; the store pays it).
   */
  changeQuantity: ['admin', 'operator', 'store', 'customer'] as RoleName[],
  /** Create, change and delete additional keys under a primary key (a customer token under its own). */
  manageAdditionalKeys: [...operators, 'customer'] as RoleName[],
  /** Deactivate a key's farms and keep a note per farm (a customer token on its own keys). */
  manageActivations: [...operators, 'customer'] as RoleName[],
  /** Check a KA configuration's connection. */
  testKaConfiguration: operators,
  /** Create, change, enable or disable KA configurations. */
  configureKa: admins,
  /** Webhook endpoints and the test mail. */
  manageEventsOut: admins,
  readAll: readers,
} satisfies Record<string, RoleName[]>;

/** Whether a role may do it: for pages that hide what a role may not do. */
export function may(role: RoleName | undefined, action: keyof typeof permissions): boolean {
  return role !== undefined && permissions[action].includes(role);
}
