import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from './polling.ts';

/** One email as the SMTP server received it: the envelope and the parsed message. */
export interface ReceivedEmail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  received: ReceivedEmail[];
  /** The first email to `to` whose subject matches, once it has arrived (within 5 s). */
  emailTo(to: string, subject?: RegExp): Promise<ReceivedEmail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, keeping every message it
 * accepts, parsed by `mailparser`. No TLS and no AUTH: a plain smtp:// URL reaches it.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({
          to: (session.envelope.rcptTo || []).map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          subject: mail.subject ?? '',
          text: mail.text ?? '',
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    emailTo: (to, subject = /./) =>
      eventually(
        async () => {
          const found = received.find((m) => m.to.includes(to) && subject.test(m.subject));
          if (!found) throw new Error(`no email to ${to} matching ${subject} yet`);
          return found;
        },
        { timeoutMs: 5000, intervalMs: 20 },
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The one link in an email's text. */
export function linkIn(email: ReceivedEmail): string {
  const links = email.text.match(/https?:\/\/\S+/g) ?? [];
  const [link] = links;
  if (link === undefined || links.length !== 1)
    throw new Error(`expected one link in:\n${email.text}`);
  return link;
}
