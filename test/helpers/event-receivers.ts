import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  type: string;
  entity: { type: string; id: string };
  data: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on loopback that verifies every POST with the stock `standardwebhooks`
 * verifier, as a provider's store would: a bad signature or an old timestamp is answered 400
 * and not kept. `answer` lets a test take it down (503) or make it redirect.
 */
export async function startWebhookReceiver(secret: () => string) {
  const received: ReceivedWebhook[] = [];
  const refused: Array<{ error: string; headers: http.IncomingHttpHeaders }> = [];
  const state = { answer: 200 as number, location: undefined as string | undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (state.answer !== 200) {
        res.writeHead(state.answer, state.location ? { location: state.location } : {});
        res.end('down for maintenance');
        return;
      }
      try {
        const event = new Webhook(secret()).verify(body, req.headers as Record<string, string>) as ReceivedWebhook;
        received.push({ ...event, headers: req.headers, body });
        res.end('thanks');
      } catch (err) {
        refused.push({ error: (err as Error).message, headers: req.headers });
        res.writeHead(400);
        res.end('refused');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    refused,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

/**
 * A real SMTP server on loopback (`smtp-server`) whose mails are parsed with `mailparser`.
 * `refuseFirst` answers that many deliveries with a temporary 451 before accepting.
 */
export async function startSmtpServer(options: { refuseFirst?: number } = {}) {
  const received: ReceivedMail[] = [];
  let refusals = options.refuseFirst ?? 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals -= 1;
          const err = Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 });
          callback(err);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
            callback(null, 'Queued as test');
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
