/**
 * Where the SDK's HTTP client finds the W3C `traceparent` header to send with each call, so a
 * KA's own logs can be matched with Keyway's (and a KA behind a tracing proxy joins the trace).
 * Keyway's host sets it once at start; plugins never call it. Without a source, or when the
 * source answers nothing (work outside any trace), no header is sent.
 */
let source: (() => string | undefined) | undefined;

/** For the host: how to read the current trace's header. Replaces any earlier source. */
export function setTraceparentSource(read: (() => string | undefined) | undefined): void {
  source = read;
}

/** The header for a call made now, if the host traces this work. */
export function currentTraceparent(): string | undefined {
  return source?.();
}
