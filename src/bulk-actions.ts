import { z } from 'zod';
import { lifecycleBulkAction } from './features/bulk-jobs/actions/lifecycle-bulk-actions.js';
import { retryOnlineBulkAction } from './features/bulk-jobs/actions/retry-online-action.js';
import { type LicenseSyncing, syncBulkAction } from './features/bulk-jobs/actions/sync-actions.js';
import { type LicenseMigrating, migrateBulkAction } from './features/bulk-jobs/actions/migrate-action.js';
import type { BulkTarget } from './features/bulk-jobs/bulk-action.js';
import { BulkActionRegistry } from './features/bulk-jobs/bulk-action-registry.js';
import type { SelectionSource } from './features/bulk-jobs/selection-source.js';
import type { LicenseRequestStore } from './features/license-requests/license-request-store.js';
import type { LicenseActionOnce } from './features/licenses/license-action-once.js';
import type { LicenseQueryService } from './features/licenses/license-query-service.js';
import { licenseFilterOf, licenseFilterSchema } from './features/licenses/license-routes.js';
import type { LicenseStore } from './features/licenses/license-store.js';
import type { ManualLicenseService } from './features/uploads/manual-license-service.js';
import type { Db } from './infra/db/database.js';
import { idText } from './http/params.js';

/**
 * The bulk actions and where their selections come from, wired from the features that act.
 * A new bulk action (migrate, deactivate farms) is a file in
 * `features/bulk-jobs/actions/` and one `register` line here.
 */
export function bulkActions(deps: {
  actionOnce: LicenseActionOnce;
  manualLicenses: ManualLicenseService;
  sync: LicenseSyncing;
  migrations: LicenseMigrating;
}): BulkActionRegistry {
  const licenses = { act: deps.actionOnce.act.bind(deps.actionOnce) };
  return new BulkActionRegistry()
    .register(lifecycleBulkAction('renew', licenses))
    .register(lifecycleBulkAction('suspend', licenses))
    .register(lifecycleBulkAction('resume', licenses))
    .register(lifecycleBulkAction('terminate', licenses))
    .register(retryOnlineBulkAction(deps.manualLicenses))
    .register(syncBulkAction('sync', deps.sync))
    .register(syncBulkAction('sync_accept_ka', deps.sync))
    .register(migrateBulkAction(deps.migrations));
}

/** A JSON filter may give ids as numbers; the lists' filters read them as canonical text. */
const idsAsText = (value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]))
    : value;

/** Unknown filter fields are refused: one mistyped would widen a bulk action to more than meant. */
const licenseSelection = z.preprocess(idsAsText, licenseFilterSchema.strict());
const requestSelection = z.preprocess(
  idsAsText,
  z
    .object({ configurationId: idText.optional(), customerId: idText.optional(), subscriptionId: idText.optional() })
    .strict(),
);

/** Where bulk jobs select licenses (the license list's filters) and license requests (those in `needs_manual`). */
export function bulkSelectionSources(deps: {
  db: Db;
  licenseQueries: LicenseQueryService;
  licenses: LicenseStore;
  requests: LicenseRequestStore;
}): Record<BulkTarget, SelectionSource> {
  const { db } = deps;
  return {
    license: {
      filter: licenseSelection as z.ZodType<Record<string, unknown>>,
      async ids(filter, page) {
        const q = licenseFilterOf(filter as z.output<typeof licenseFilterSchema>);
        return (await deps.licenseQueries.list({ ...q, ...page })).map((l) => l.id);
      },
      existing: (ids) => deps.licenses.existingIds(db, ids),
    },
    license_request: {
      filter: requestSelection as z.ZodType<Record<string, unknown>>,
      async ids(filter, page) {
        const f = filter as { configurationId?: number; customerId?: number; subscriptionId?: number };
        return (await deps.requests.list(db, { ...f, state: 'needs_manual', ...page })).map((r) => r.id);
      },
      existing: (ids) => deps.requests.existingIds(db, ids),
    },
  };
}
