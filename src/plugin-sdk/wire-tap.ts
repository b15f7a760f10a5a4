import { AsyncLocalStorage } from 'node:async_hooks';

/** One HTTP exchange as `httpRequest` saw it; URL, headers and bodies as sent, unmasked. */
export interface WireExchange {
  method: string;
  /** With the query string. */
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status?: number;
  responseHeaders?: Record<string, string | string[] | undefined>;
  responseBody?: string;
  /** Why no (complete) response came, when none did. */
  error?: string;
  durationMs: number;
}

export type WireTap = (exchange: WireExchange) => void;

const taps = new AsyncLocalStorage<WireTap>();

/**
 * Run `body` with every `httpRequest` (and `httpPost`) exchange it causes reported to `tap`: for debugging tools
 * such as `npm run plugin:try`. The exchange carries credentials as sent: the tap's owner
 * must mask them before showing anything. Scoped to `body`'s async context, so concurrent
 * work elsewhere in the process is never captured.
 */
export function withWireTap<T>(tap: WireTap, body: () => Promise<T>): Promise<T> {
  return taps.run(tap, body);
}

/** Called by `httpRequest`; a no-op unless inside `withWireTap`. A failing tap never fails a call. */
export function reportExchange(exchange: () => WireExchange): void {
  const tap = taps.getStore();
  if (!tap) return;
  try {
    tap(exchange());
  } catch {
    // Debug output must never change what the adapter sees.
  }
}
