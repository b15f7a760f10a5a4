import { SECRET_MASK, type WireExchange } from '../../src/plugin-sdk/index.js';

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/**
 * A function that replaces every secret in text: as written, XML-escaped, JSON-escaped and
 * URL-encoded (the ways a protocol may carry it). Secrets shorter than 4 characters are
 * masked too: a debugging tool must not leak even a weak password.
 */
export function secretMasker(secrets: string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets.filter((s) => s.length > 0)) {
    forms.add(secret);
    forms.add(escapeXml(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, form) => out.split(form).join(SECRET_MASK), text);
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i;

/** One exchange as text for a terminal: request, then response or error; secrets masked. */
export function formatExchange(exchange: WireExchange, mask: (text: string) => string, maxBody = 20_000): string {
  const headers = (h: Record<string, unknown> | undefined): string =>
    Object.entries(h ?? {})
      .map(([k, v]) => `${k}: ${SECRET_HEADER.test(k) ? SECRET_MASK : String(v)}`)
      .join('\n');
  const body = (text: string | undefined): string =>
    text === undefined ? '' : text.length > maxBody ? `${text.slice(0, maxBody)}\n… (${text.length - maxBody} more characters)` : text;
  const lines = [`>>> POST ${exchange.url}`, headers(exchange.requestHeaders), '', body(exchange.requestBody), ''];
  if (exchange.status !== undefined) {
    lines.push(`<<< HTTP ${exchange.status} (${exchange.durationMs} ms)`, headers(exchange.responseHeaders), '', body(exchange.responseBody));
  } else {
    lines.push(`<<< no answer (${exchange.durationMs} ms): ${exchange.error ?? 'unknown'}`);
  }
  return mask(lines.join('\n'));
}
