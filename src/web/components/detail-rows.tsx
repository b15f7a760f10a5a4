import { formatTime } from './display.js';
import { entityPath } from './entity-links.js';

/** Keys whose number names an entity with a page, so the value links to it. */
const entityKeys: Record<string, string> = {
  customerId: 'customer',
  orderId: 'order',
  subscriptionId: 'subscription',
  licenseId: 'license',
  requestId: 'license_request',
  licenseRequestId: 'license_request',
  configurationId: 'ka_configuration',
  endpointId: 'webhook_endpoint',
};

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const maxDepth = 3;

/**
 * A stored value decoded once: text that is itself JSON (a payload recorded as a string) is
 * parsed, so nothing is shown encoded twice. Anything else is returned as it is.
 */
export function decodedOnce(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

/** "paymentReference" → "payment reference", "key_number" → "key number". */
export function labelOf(key: string): string {
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function Value({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const v = decodedOnce(value);
  if (v === null || v === undefined || v === '') return <span class="muted">—</span>;
  if (typeof v === 'boolean') return <span>{v ? 'yes' : 'no'}</span>;
  if (typeof v === 'number' || typeof v === 'string') {
    const type = name ? entityKeys[name] : undefined;
    const href = type ? entityPath(type, v) : undefined;
    if (href) return <a href={href}>{String(v)}</a>;
    if (typeof v === 'string' && isoInstant.test(v)) return <time dateTime={v}>{formatTime(v)}</time>;
    return <span>{String(v)}</span>;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">none</span>;
    if (v.every((x) => typeof x !== 'object' || x === null)) return <span>{v.map(String).join(', ')}</span>;
    if (depth >= maxDepth) return <code class="json">{JSON.stringify(v)}</code>;
    return (
      <ol class="detail-list">
        {v.map((item, i) => (
          <li key={i}>
            <Value value={item} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (depth >= maxDepth) return <code class="json">{JSON.stringify(v)}</code>;
  return <DetailRows data={v as Record<string, unknown>} depth={depth + 1} />;
}

/** Recorded data (an audit event's details) as readable label–value rows, nested where it nests. */
export function DetailRows({ data, depth = 0 }: { data: Record<string, unknown> | null | undefined; depth?: number }) {
  const decoded = decodedOnce(data);
  if (!decoded || typeof decoded !== 'object') return <Value value={decoded} depth={depth} />;
  const entries = Object.entries(decoded as Record<string, unknown>);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{labelOf(key)}</dt>
          <dd>
            <Value name={key} value={value} depth={depth} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
