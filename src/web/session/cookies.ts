/** Cookie names of the console. */
export const sessionCookie = 'kw_session';
/** Double-submit token of the sign-in form, which has no session yet. */
export const signInCsrfCookie = 'kw_signin_csrf';

/** The cookies of a request header; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(raw));
    } catch {
      // a value that is not valid percent-encoding is not one of ours
    }
  }
  return cookies;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. Unset: a browser-session cookie. */
  maxAgeSeconds?: number;
  /** Set when the request came over https (directly or through a trusted proxy). */
  secure: boolean;
}

/** Always HttpOnly, SameSite=Lax, Path=/: scripts never read them, other sites never send them on POST. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
