import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailerOf, sendInBackground, smtpMailer } from '../../src/accounts/mailer.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig, type ConfigError } from '../../src/config.ts';
import { DEMO } from '../../harness/demo.ts';
import { freePort } from '../../harness/free-port.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import { startSmtpServer, type TestSmtpServer } from '../../harness/smtp-server.ts';
import { createTestApp } from '../../harness/test-app.ts';

/** Where emails go (SMTP, the log, nowhere), the settings that choose, and links kept out of logs. */
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

/** A logger whose lines (parsed) land in `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'trace' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}
const EMAIL = {
  to: 'someone@example.org',
  subject: 'A link',
  text: 'Open http://x.localhost/invite/abc',
};

describe('the mailer', () => {
  it('when SMTP_URL is set, then emails go through that SMTP server from MAIL_FROM', async () => {
    const config = loadConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Tenantry <no-reply@example.com>' });
    await mailerOf(config, pino({ level: 'silent' }))(EMAIL);
    const got = await smtp.emailTo(EMAIL.to, /^A link$/);
    expect(got).toMatchObject({ from: 'no-reply@example.com', text: `${EMAIL.text}\n` });
  });

  it('when the SMTP server cannot be reached, then sending in the background logs a warning without the text', async () => {
    const { logger, lines } = capture();
    sendInBackground(
      smtpMailer(`smtp://127.0.0.1:${await freePort()}`, 'a@example.com'),
      logger,
      EMAIL,
    );
    const line = await eventually(async () => {
      const found = lines.find((l) => l.msg === 'email not sent');
      if (!found) throw new Error('not yet');
      return found;
    });
    expect(line).toMatchObject({ level: 40, to: EMAIL.to, subject: EMAIL.subject });
    expect(JSON.stringify(lines)).not.toContain('/invite/abc');
  });

  it('when SMTP_URL is unset outside production, then each email is written to the log, link and all', async () => {
    const { logger, lines } = capture();
    const mailer = mailerOf(loadConfig({}), logger);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: expect.stringContaining('SMTP_URL is unset'),
    });
    await mailer(EMAIL);
    expect(lines[1]).toMatchObject({ level: 30, email: EMAIL });
  });

  it('when SMTP_URL is unset in production, then it starts with a warning, and no email or link is logged', async () => {
    const { logger, lines } = capture();
    const config = loadConfig({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://r:6379',
      SESSION_SECRET: 'x'.repeat(48),
      DATABASE_URL: 'postgres://app:pw@db:5432/app',
    });
    const mailer = mailerOf(config, logger);
    expect(lines[0]?.msg).toMatch(/SMTP_URL is unset: no email is sent/);
    await mailer(EMAIL);
    expect(lines[1]).toMatchObject({
      level: 40,
      to: EMAIL.to,
      msg: 'email not sent: SMTP_URL is unset',
    });
    expect(JSON.stringify(lines)).not.toContain('/invite/abc');
  });
});

describe('loadConfig: SMTP_URL and MAIL_FROM', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('when SMTP_URL is not smtp:// or smtps://, or MAIL_FROM not an address, then both are named', () => {
    expect(problems({ SMTP_URL: 'http://mail.example.com', MAIL_FROM: 'nobody' })).toEqual([
      'SMTP_URL must be an smtp:// or smtps:// URL',
      expect.stringMatching(/^MAIL_FROM must be an address/),
    ]);
    expect(problems({ MAIL_FROM: 'Evil\r\nBcc: x@y.z <a@b.c>' })).toHaveLength(1);
  });

  it('when they are fine or empty, then they load; MAIL_FROM has a default outside production', () => {
    expect(
      loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'A B <a@b.co>' }),
    ).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      mailFrom: 'A B <a@b.co>',
    });
    expect(loadConfig({ SMTP_URL: '', MAIL_FROM: '' })).toMatchObject({
      smtpUrl: undefined,
      mailFrom: 'tenantry <no-reply@localhost>',
    });
  });

  it('when production sets SMTP_URL without MAIL_FROM, then MAIL_FROM is named; without SMTP_URL it loads', () => {
    const production = {
      NODE_ENV: 'production',
      REDIS_URL: 'redis://r:6379',
      SESSION_SECRET: 'x'.repeat(48),
      DATABASE_URL: 'postgres://app:pw@db:5432/app',
    };
    expect(problems({ ...production, SMTP_URL: 'smtp://mail:25' })).toEqual([
      expect.stringMatching(/^MAIL_FROM is required with SMTP_URL when NODE_ENV=production/),
    ]);
    expect(problems(production)).toEqual([]);
  });
});

describe('links in the request log', () => {
  it('when an invitation or reset link is requested, then the request line logs [token], never the token', async () => {
    const t = await createTestApp({ env: { NODE_ENV: 'development' } });
    try {
      const { logger, lines } = capture();
      const app = createApp({ ...t, logger });
      const alice = await signIn(t.app, DEMO.a);
      const res = await request(t.app)
        .post('/api/admin/invitations')
        .set('Host', DEMO.a.host)
        .set('Cookie', alice)
        .send({ username: 'logan' })
        .expect(201);
      const path = new URL(res.body.url as string).pathname;
      const token = path.split('/').pop()!;
      await request(app).get(path).set('Host', DEMO.a.host).expect(200);
      await request(app).get(`/password-reset/${token}`).set('Host', DEMO.a.host).expect(410);
      await request(app).get('/password-reset').set('Host', DEMO.a.host).expect(200);
      await eventually(async () =>
        expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(3),
      );
      const urls = lines.map((l) => (l.req as { url?: string } | undefined)?.url);
      expect(urls).toEqual(['/invite/[token]', '/password-reset/[token]', '/password-reset']);
      expect(JSON.stringify(lines)).not.toContain(token);
    } finally {
      await t.close();
    }
  });
});
