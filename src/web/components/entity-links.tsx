/** Links to the console's entities, so every id or name shown leads to its page. */

export function CustomerLink({ id, names }: { id: number | null | undefined; names?: Map<number, string> }) {
  if (id === null || id === undefined) return <span class="muted">—</span>;
  return <a href={`/customers/${id}`}>{names?.get(id) ?? `customer ${id}`}</a>;
}

export function OrderLink({ id, label }: { id: number | null | undefined; label?: string }) {
  if (id === null || id === undefined) return <span class="muted">—</span>;
  return <a href={`/orders/${id}`}>{label ?? `#${id}`}</a>;
}

export function SubscriptionLink({ id }: { id: number | null | undefined }) {
  if (id === null || id === undefined) return <span class="muted">—</span>;
  return <a href={`/subscriptions/${id}`}>#{id}</a>;
}

export function LicenseLink({ id, label }: { id: number | null | undefined; label?: string }) {
  if (id === null || id === undefined) return <span class="muted">—</span>;
  return <a href={`/licenses/${id}`}>{label ?? `#${id}`}</a>;
}

/** Where an audit event's entity lives in the console, when it has a page. */
const entityPaths: Record<string, string> = {
  customer: '/customers',
  order: '/orders',
  subscription: '/subscriptions',
  license: '/licenses',
  license_request: '/license-requests',
  ka_configuration: '/ka-configurations',
  webhook_endpoint: '/webhooks',
};

export function entityPath(type: string, id: string | number): string | undefined {
  const base = entityPaths[type];
  return base && /^\d+$/.test(String(id)) ? `${base}/${id}` : undefined;
}

/** "order 12" as a link to the order, or as text where the entity has no page. */
export function EntityLink({ type, id }: { type: string; id: string | number }) {
  const href = entityPath(type, id);
  const label = `${type.replace(/_/g, ' ')} ${id}`;
  return href ? <a href={href}>{label}</a> : <span>{label}</span>;
}
