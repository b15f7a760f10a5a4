import test from 'ava';
import { CatchAllMailTransport } from '../../src/infra/mail/catch-all-mail-transport.js';
import { SmtpMailTransport, smtpIdentity } from '../../src/infra/mail/smtp-mail-transport.js';
import { runMailTransportContract } from '../contracts/mail-transport-contract.js';
import { startSmtpServer } from '../helpers/event-receivers.js';
import { createTestDatabase } from '../helpers/test-database.js';

runMailTransportContract(test, 'smtp', async () => {
  const server = await startSmtpServer();
  const transport = new SmtpMailTransport(server.url.replace('smtp://', 'smtp://keyway:secret-password@'), {
    timeoutMs: 2000,
  });
  return {
    transport,
    async delivered() {
      return server.received.map((m) => ({
        to: m.envelopeTo,
        subject: m.parsed.subject ?? '',
        text: m.parsed.text ?? '',
        html: typeof m.parsed.html === 'string' ? m.parsed.html : undefined,
      }));
    },
    async unreachable() {
      const gone = await startSmtpServer();
      await gone.close();
      return new SmtpMailTransport(gone.url, { timeoutMs: 1000 });
    },
    async close() {
      await transport.close();
      await server.close();
    },
  };
});

runMailTransportContract(test, 'catch-all', async () => {
  const database = await createTestDatabase('sqlite');
  const transport = new CatchAllMailTransport(database.db);
  return {
    transport,
    async delivered() {
      return (await transport.list(database.db, 100)).map((m) => ({
        to: m.recipients,
        subject: m.subject,
        text: m.text,
        html: m.html ?? undefined,
      }));
    },
    close: () => database.drop(),
  };
});

test('the SMTP identity leaves the password out', (t) => {
  t.is(smtpIdentity('smtp://keyway:secret-password@mail.example.test:587'), 'smtp://keyway@mail.example.test:587');
});
