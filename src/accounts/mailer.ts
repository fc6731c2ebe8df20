import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';

export interface Email {
  to: string;
  subject: string;
  /** Plain text; links on lines of their own. */
  text: string;
}

/** Sends an email; rejects when it could not be handed to the server. */
export type Mailer = (email: Email) => Promise<void>;

/**
 * Where invitation and reset emails go: SMTP_URL through nodemailer; without it, outside
 * production, the log (links included, so a developer can follow them). In production without
 * SMTP_URL nothing is sent and the log gets no link: a log is read by more people than the
 * mailbox, and a reset link there would let them take the account. That deployment still invites
 * (the link is shown to whoever invites); only resets by email are unavailable, which the start
 * warning says.
 */
export function mailerOf(config: Config, logger: Logger): Mailer {
  if (config.smtpUrl !== undefined) return smtpMailer(config.smtpUrl, config.mailFrom);
  if (config.env !== 'production') {
    logger.warn('SMTP_URL is unset: emails (invitations, password resets) are written to the log');
    return async (email) => void logger.info({ email }, 'email not sent (SMTP_URL is unset)');
  }
  logger.warn(
    'SMTP_URL is unset: no email is sent, so password resets by email are unavailable; invitation links are shown to whoever invites',
  );
  return async ({ to, subject }) =>
    void logger.warn({ to, subject }, 'email not sent: SMTP_URL is unset');
}

/** A bounded wait at each step, so a mail server that hangs never holds a request or a socket. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = createTransport({
    url,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
  });
  return async ({ to, subject, text }) => {
    await transport.sendMail({ from, to, subject, text });
  };
}

/**
 * Sends without making the request wait: the answer to "reset my password" must take as long for
 * an unknown user as for a known one, and an invitation stands whether or not its email went.
 * A failure is logged (without the text, which holds the link).
 */
export function sendInBackground(mailer: Mailer, logger: Logger, email: Email): void {
  mailer(email).catch((err: unknown) =>
    logger.warn({ err, to: email.to, subject: email.subject }, 'email not sent'),
  );
}
