import { SECRET_MASK } from './settings.js';

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

const base64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');

/**
 * Every way a secret may travel: as written, XML-, JSON- and URL-escaped, base64, and inside
 * HTTP Basic credentials for each of `logins` (`base64(login:secret)`). Longest first, so a
 * longer form is replaced before a shorter one inside it.
 */
export function secretForms(secrets: string[], logins: string[] = []): string[] {
  const forms = new Set<string>();
  for (const secret of secrets.filter((s) => s.length > 0)) {
    forms.add(secret);
    forms.add(escapeXml(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    forms.add(base64(secret));
    for (const login of logins) forms.add(base64(`${login}:${secret}`));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A function that replaces every form of every secret (`secretForms`) in a text with the mask. */
export function secretScrubber(secrets: string[], logins: string[] = []): (text: string) => string {
  const forms = secretForms(secrets, logins);
  return (text) => forms.reduce((out, form) => out.split(form).join(SECRET_MASK), text);
}
