import type { Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * Sends a server-rendered page. Preact escapes every text and attribute value, so data from
 * customers, KAs or uploads can never become markup.
 */
export function sendPage<P>(res: Response, page: VNode<P>, status = 200): void {
  res
    .status(status)
    .type('html')
    .send(`<!doctype html>${renderToString(page)}`);
}

/** Query values as strings: arrays and nested objects (`a[b]=c`) are not ours. */
export function queryString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A link to the same list with some query values replaced; empty values are dropped. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
