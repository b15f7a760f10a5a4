import { SECRET_MASK, secretScrubber, type WireExchange } from '../../src/plugin-sdk/index.js';

/**
 * A function that replaces every secret in text, in every form a protocol may carry it (as
 * written, XML-, JSON- and URL-escaped, base64, inside Basic credentials with any of `logins`).
 * Secrets shorter than 4 characters are masked too: a debugging tool must not leak even a
 * weak password.
 */
export function secretMasker(secrets: string[], logins: string[] = []): (text: string) => string {
  return secretScrubber(secrets, logins);
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i;

/** One exchange as text for a terminal: request line with its query, then response or error; secrets masked. */
export function formatExchange(exchange: WireExchange, mask: (text: string) => string, maxBody = 20_000): string {
  const headers = (h: Record<string, unknown> | undefined): string =>
    Object.entries(h ?? {})
      .map(([k, v]) => `${k}: ${SECRET_HEADER.test(k) ? SECRET_MASK : String(v)}`)
      .join('\n');
  const body = (text: string | undefined): string =>
    text === undefined
      ? ''
      : text.length > maxBody
        ? `${text.slice(0, maxBody)}\n… (${text.length - maxBody} more characters)`
        : text;
  const lines = [
    `>>> ${exchange.method} ${exchange.url}`,
    headers(exchange.requestHeaders),
    '',
    body(exchange.requestBody),
    '',
  ];
  if (exchange.status !== undefined) {
    lines.push(
      `<<< HTTP ${exchange.status} (${exchange.durationMs} ms)`,
      headers(exchange.responseHeaders),
      '',
      body(exchange.responseBody),
    );
  } else {
    lines.push(`<<< no answer (${exchange.durationMs} ms): ${exchange.error ?? 'unknown'}`);
  }
  return mask(lines.join('\n'));
}
