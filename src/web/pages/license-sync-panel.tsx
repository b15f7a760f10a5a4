import type { LicenseDetails } from '../../features/licenses/license-query-service.js';
import type { SyncDifference } from '../../features/licenses/license-sync-state.js';
import { Notice, StateBadge, Time } from '../components/display.js';
import { ActionButton } from '../components/form-fields.js';
import type { ViewContext } from '../view-context.js';

const fieldNames: Record<SyncDifference['field'], string> = {
  status: 'Status',
  keyExpiresAt: 'Key expires',
  updatesUntil: 'Updates until',
  features: 'Features',
  additionalKeyNumbers: 'Additional keys',
  revision: 'File revision',
};

const shown = (value: SyncDifference['ka']) =>
  value === null ? '—' : Array.isArray(value) ? value.join(', ') || '(none)' : value;

/** What the KA says against what Keyway says, one row per field that differs. */
export function SyncDiffTable({ differences }: { differences: SyncDifference[] }) {
  return (
    <table>
      <caption>Differences found at the last sync</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">KA says</th>
          <th scope="col">Keyway says</th>
        </tr>
      </thead>
      <tbody>
        {differences.map((d) => (
          <tr key={d.field}>
            <th scope="row">{fieldNames[d.field] ?? d.field}</th>
            <td>{shown(d.ka)}</td>
            <td>{shown(d.keyway)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The license against its KA: the last sync's state and differences, and for operators Sync
 * now and, when not in sync, Accept KA (Keyway takes the KA's facts) or Push Keyway (the KA is
 * told Keyway's, and the current file is installed again).
 */
export function LicenseSyncPanel({
  ctx,
  license,
  canSync,
}: {
  ctx: ViewContext;
  license: LicenseDetails;
  canSync: boolean;
}) {
  const { sync } = license;
  return (
    <section aria-labelledby="sync-h" class="card">
      <h2 id="sync-h">Sync with the KA {sync.state ? <StateBadge state={sync.state} /> : null}</h2>
      <p class="help">
        {sync.lastSyncedAt ? (
          <>
            Last read at the KA <Time iso={sync.lastSyncedAt} />.
          </>
        ) : (
          'Not synced yet: the daily sync reads every key.'
        )}
      </p>
      {sync.state === 'failed' && sync.error && <Notice kind="error">The last read failed: {sync.error}</Notice>}
      {sync.differences.length > 0 && <SyncDiffTable differences={sync.differences} />}
      {canSync && (
        <div class="actions">
          <ActionButton ctx={ctx} action={`/licenses/${license.id}/sync`} label="Sync" />
          {sync.state === 'not_in_sync' && (
            <>
              <ActionButton ctx={ctx} action={`/licenses/${license.id}/sync/resolve`} label="Accept KA">
                <input type="hidden" name="resolution" value="accept_ka" />
              </ActionButton>
              <ActionButton ctx={ctx} action={`/licenses/${license.id}/sync/resolve`} label="Push Keyway">
                <input type="hidden" name="resolution" value="push_keyway" />
              </ActionButton>
            </>
          )}
        </div>
      )}
    </section>
  );
}
