/** One mail, rendered: what a transport hands to the server (or the built-in mailbox). */
export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** What became of one mail. */
export type MailSendResult =
  /** The server took it; `answer` is what it said (`250 2.0.0 OK ...`). */
  | { outcome: 'accepted'; answer: string; messageId: string }
  /** A temporary refusal or no connection (4xx, timeout): send it again later. */
  | { outcome: 'retry'; answer: string }
  /** The server refused it for good (5xx, no valid recipient): sending it again changes nothing. */
  | { outcome: 'rejected'; answer: string };

/**
 * Where Keyway's mails go: an SMTP server (`SmtpMailTransport`) or, on the embedded default,
 * the built-in catch-all mailbox the console shows under Mail (`CatchAllMailTransport`).
 *
 * Promises (proven for both by `test/contracts/mail-transport-contract.ts`):
 * - `send` never throws for a refusal or a lost connection: it answers `retry` or `rejected`,
 *   with the server's words, so the caller records why and decides when to try again.
 * - `accepted` means the mail was handed over: sending the same mail again sends it twice, so
 *   callers record the acceptance before anything else can retry it.
 * - `identity` names the transport without any secret (no SMTP password): a mailbox verified
 *   by a test mail stays verified only while the identity is the same.
 * - `close` releases connections; `send` after `close` is not allowed.
 */
export interface MailTransport {
  readonly identity: string;
  send(mail: OutgoingMail): Promise<MailSendResult>;
  close(): Promise<void>;
}
