import type { TestFn } from 'ava';
import type { MailTransport } from '../../src/infra/mail/mail-transport.js';

/** What a test sees of where a transport's mails went: the real SMTP server's parsed mails, or the built-in mailbox. */
export interface DeliveredMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface MailTransportRig {
  transport: MailTransport;
  delivered(): Promise<DeliveredMail[]>;
  /** A rig whose server is gone (refused connection), when the transport has one. */
  unreachable?: () => Promise<MailTransport>;
  close(): Promise<void>;
}

/**
 * What every MailTransport must do (see its TSDoc), run against each of them: SMTP against a
 * real SMTP server, the built-in catch-all against its table.
 */
export function runMailTransportContract(test: TestFn, name: string, makeRig: () => Promise<MailTransportRig>): void {
  test(`${name}: an accepted mail arrives with its recipients, subject, text and HTML; the answer is the server’s`, async (t) => {
    const rig = await makeRig();
    t.teardown(() => rig.close());
    const result = await rig.transport.send({
      from: 'Keyway <keyway@example.test>',
      to: ['ops@example.test', 'billing@example.test'],
      subject: 'Key PLSK.00000001 installed',
      text: 'Key number: PLSK.00000001\n',
      html: '<p>Key number: <b>PLSK.00000001</b></p>',
    });
    t.is(result.outcome, 'accepted');
    t.regex(result.answer, /^250/);
    const delivered = await rig.delivered();
    t.is(delivered.length, 1);
    t.deepEqual([...(delivered[0]?.to ?? [])].sort(), ['billing@example.test', 'ops@example.test']);
    t.is(delivered[0]?.subject, 'Key PLSK.00000001 installed');
    t.regex(delivered[0]?.text ?? '', /Key number: PLSK\.00000001/);
    t.regex(delivered[0]?.html ?? '', /<b>PLSK\.00000001<\/b>/);
  });

  test(`${name}: the identity names the transport without a password`, async (t) => {
    const rig = await makeRig();
    t.teardown(() => rig.close());
    t.truthy(rig.transport.identity);
    t.notRegex(rig.transport.identity, /secret-password/);
  });

  test(`${name}: a server that cannot be reached is a retry with its reason, never a throw`, async (t) => {
    const rig = await makeRig();
    t.teardown(() => rig.close());
    if (!rig.unreachable) {
      t.pass('this transport has no server to lose');
      return;
    }
    const transport = await rig.unreachable();
    const result = await transport.send({ from: 'k@example.test', to: ['a@example.test'], subject: 's', text: 't' });
    t.is(result.outcome, 'retry');
    t.truthy(result.answer);
    await transport.close();
  });
}
