import type { ComponentChildren } from 'preact';
import { withQuery } from '../render.js';

/** A state or status as a coloured label; the text carries the meaning, colour only helps. */
export function StateBadge({ state }: { state: string }) {
  const tone =
    state === 'installed' || state === 'configured' || state === 'active' || state === 'paid' || state === 'ready'
      ? 'good'
      : state === 'needs_manual' || state === 'failing' || state === 'plugin_missing' || state === 'failed'
        ? 'bad'
        : state === 'cancelled' || state === 'terminated' || state === 'suspended' || state === 'disabled'
          ? 'muted'
          : 'busy';
  return <span class={`badge ${tone}`}>{state.replace(/_/g, ' ')}</span>;
}

/** Dates in UTC, to the second (a pipeline's steps happen within one minute): staff in different places see the same time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}

export function DateOnly({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return <time dateTime={iso}>{iso.slice(0, 10)}</time>;
}

/** Keyset paging: a link to the next page only (and back to the first). */
export function Pager({
  path,
  query,
  nextCursor,
}: {
  path: string;
  query: Record<string, string | number | undefined>;
  nextCursor: string | null;
}) {
  const onFirst = query.cursor === undefined;
  if (onFirst && !nextCursor) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {!onFirst && <a href={withQuery(path, { ...query, cursor: undefined })}>First page</a>}
      {nextCursor && (
        <a href={withQuery(path, { ...query, cursor: nextCursor })} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}

export function Notice({
  kind,
  children,
}: {
  kind: 'info' | 'success' | 'error' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Label/value pairs of a details page. */
export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value ?? <span class="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

/** JSON data of an audit event or error, shown as text. */
export function JsonText({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  return <code class="json">{JSON.stringify(value)}</code>;
}

/** A recorded error (KA or step failure): its message first, the KA's own words and code after. */
export function ErrorText({ error }: { error: Record<string, unknown> | null | undefined }) {
  if (!error) return <span class="muted">—</span>;
  const text = (key: string) =>
    typeof error[key] === 'string' || typeof error[key] === 'number' ? String(error[key]) : undefined;
  const message = text('message') ?? JSON.stringify(error);
  const ka = [text('kaResultCode'), text('kaMessage')].filter(Boolean).join(' ');
  return (
    <span class="error-text">
      {message}
      {ka && <span class="muted"> · KA said: {ka}</span>}
      {text('code') && <span class="muted"> · {text('code')}</span>}
    </span>
  );
}

/** "1 month", "12 months". */
export function months(n: number): string {
  return `${n} ${n === 1 ? 'month' : 'months'}`;
}
