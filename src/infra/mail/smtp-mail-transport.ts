import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailSendResult, MailTransport, OutgoingMail } from './mail-transport.js';

/** The SMTP URL without its password: `smtp://user@host:port`. */
export function smtpIdentity(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  url.password = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}

interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/**
 * Mail through an SMTP server with nodemailer (`KEYWAY_SMTP_URL`, `smtp://` or `smtps://`,
 * user and password in the URL). A 4xx answer, a timeout or a refused connection is `retry`;
 * a 5xx is `rejected`. Nodemailer's own messages never quote the password.
 */
export class SmtpMailTransport implements MailTransport {
  readonly identity: string;
  private readonly transporter: Transporter;

  constructor(smtpUrl: string, options: { timeoutMs?: number } = {}) {
    this.identity = smtpIdentity(smtpUrl);
    const timeout = options.timeoutMs ?? 30_000;
    const smtp: SMTPTransport.Options = {
      url: smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    };
    this.transporter = nodemailer.createTransport(smtp);
  }

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    try {
      const info = await this.transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments,
      });
      if (!info.accepted?.length) return { outcome: 'rejected', answer: info.response || 'no recipient accepted' };
      return { outcome: 'accepted', answer: info.response ?? '', messageId: info.messageId ?? '' };
    } catch (err) {
      const e = err as SmtpError;
      const answer = e.response ?? e.message ?? String(err);
      if (e.responseCode !== undefined && e.responseCode >= 500) return { outcome: 'rejected', answer };
      return { outcome: 'retry', answer };
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
