import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, press, submitSignIn } from '../../harness/browser-stack.ts';
import { DEMO } from '../../harness/demo.ts';
import { startDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { missingChromium, prerequisitesTest } from '../../harness/prerequisites.ts';
import { signIn } from '../../harness/sign-in.ts';
import { addUser } from '../../harness/users.ts';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { tenantFilesCopy, type TenantFiles } from '../../harness/tenant-files.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { pageProblems } from './page-checks.ts';

const missing = missingChromium();

prerequisitesTest('test/e2e/pages.test.ts', missing);

/** A tenant white text cannot be read on (1.39:1): its header must pick black. */
const YELLOW = {
  tenant: 'customer-y',
  host: 'customer-y.localhost',
  name: 'Customer Y',
  username: 'carol',
  password: 'carol-password',
};
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const NOTE = `first words of a note\nsecond line\n${'long'.repeat(30)}`;

describe.skipIf(missing.length > 0)('every page in Chromium, at 360 px and on a desktop', () => {
  let files: TenantFiles;
  let t: TestApp;
  let server: Server;
  let port: number;
  let browser: Browser;
  let dns: DnsServer;

  beforeAll(async () => {
    dns = await startDnsServer();
    files = await tenantFilesCopy();
    const carol = await files.read(DEMO.c.tenant);
    await files.write(YELLOW.tenant, {
      ...carol,
      id: YELLOW.tenant,
      name: YELLOW.name,
      hosts: [YELLOW.host],
      theme: { color: '#ffd800' },
    });
    t = await createTestApp({ env: { TENANTS_DIR: files.dir, DNS_SERVERS: dns.address } });
    await addUser(t.database, YELLOW.tenant, { ...YELLOW, displayName: 'Carol at Y' });
    ({ server, port } = await listen(t.app));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await t?.close();
    await files?.remove();
    await dns?.stop();
  });

  /** The tab's status code, as the browser received it for the page shown. */
  const status = (page: Page) =>
    page.evaluate(
      () =>
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
          .responseStatus,
    );

  it.each([DEMO.a, DEMO.b, DEMO.c, YELLOW])(
    'when a visitor goes through $name signed out and in, then every page passes axe, fits 360 px, names each button and keeps a two-line header',
    async (who) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const refusedByCsp: string[] = [];
      page.on(
        'console',
        (m) => void (/Content Security Policy/.test(m.text()) && refusedByCsp.push(m.text())),
      );
      const problems: string[] = [];
      const check = async (label: string, expected: number) => {
        expect(await status(page), label).toBe(expected);
        problems.push(...(await pageProblems(page, `${who.name}, ${label}`)));
      };
      const open = async (path: string) =>
        void (await page.goto(`http://${who.host}:${port}${path}`));

      await open('/');
      await check('home, signed out', 200);
      await open('/login');
      await check('sign-in', 200);
      await submitSignIn(page, { ...who, password: 'not-the-password' });
      await check('sign-in, refused', 401);
      expect(await page.getByRole('alert').textContent()).toContain('Wrong username or password');
      await open('/no-such-page');
      await check('404, signed out', 404);

      await open('/login');
      await submitSignIn(page, who);
      await check('home, signed in', 200);
      await open('/notes');
      await check('notes, none yet', 200);
      expect(await page.locator('main').textContent()).toContain('No notes yet.');

      // Spaces pass the browser's `required` and are refused by the server: the field is marked,
      // its error read with it, and the summary's link leads to it.
      await page.fill('textarea[name=text]', '   ');
      await press(page, 'Add note');
      await check('notes, a refused form', 400);
      const textarea = page.locator('textarea[name=text]');
      expect(await textarea.getAttribute('aria-invalid')).toBe('true');
      const errorId = (await textarea.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
      expect(await page.locator(`#${errorId}`).textContent()).toContain('A note needs some text.');
      await page.getByRole('link', { name: 'A note needs some text.' }).click();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('text');

      await page.fill('textarea[name=text]', NOTE);
      await press(page, 'Add note');
      await check('notes, one note', 200);
      const remove = page.getByRole('button', {
        name: 'Delete the note “first words of a note second…”',
      });
      expect(await remove.count()).toBe(1);

      await signIn(t.app, who, { userAgent: PHONE_UA });
      await open('/account/sessions');
      await check('your sessions, two', 200);
      expect(await page.getByTestId('session').count()).toBe(2);
      const end = page.getByRole('button', {
        name: /^End the session on Safari on iOS, signed in /,
      });
      expect(await end.count()).toBe(1);
      await open('/no-such-page');
      await check('404, signed in', 404);

      await context.close();
      expect(refusedByCsp).toEqual([]);
      expect(problems).toEqual([]);
    },
    180_000,
  );

  it('when alice (owner) and amy (member) go through the account pages, and a visitor through the links, then each passes the same checks', async () => {
    const problems: string[] = [];
    const origin = `http://${DEMO.a.host}:${port}`;
    const visit = async (page: Page, label: string, path: string | undefined, expected: number) => {
      if (path !== undefined) await page.goto(`${origin}${path}`);
      expect(await status(page), label).toBe(expected);
      problems.push(...(await pageProblems(page, label)));
    };
    const contexts: BrowserContext[] = [];
    const newPage = async () => {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    };
    const signedInPage = async (who: { username: string; password: string }) => {
      const page = await newPage();
      await page.goto(`${origin}/login`);
      await submitSignIn(page, who);
      return page;
    };

    const alice = await signedInPage(DEMO.a);
    await visit(alice, 'your account', '/account', 200);
    await alice.fill('input[name=currentPassword]', 'not-the-password');
    await alice.fill('input[name=newPassword]', 'a-new-password');
    await press(alice, 'Change password');
    await visit(alice, 'your account, a wrong password', undefined, 403);
    await visit(alice, 'users', '/admin/users', 200);
    await alice.fill('input[name=username]', 'amy');
    await press(alice, 'Create invitation');
    await visit(alice, 'users, a name taken', undefined, 409);
    await alice.fill('input[name=username]', 'newcomer');
    await alice.fill('input[name=email]', 'newcomer@example.org');
    await press(alice, 'Create invitation');
    await visit(alice, 'users, an invitation made', undefined, 200);
    const invite = await alice
      .getByTestId('invitation-link')
      .getByRole('link')
      .getAttribute('href');
    await alice.getByRole('link', { name: 'Remove Amy Albers (amy)' }).click();
    await alice.waitForLoadState();
    await visit(alice, 'removing amy, asked', undefined, 200);

    const amy = await signedInPage({ username: 'amy', password: 'amy-password' });
    await visit(amy, 'your account, a member', '/account', 200);
    await visit(amy, 'users, refused to a member', '/admin/users', 403);
    await amy.goto(`${origin}/account`);
    await amy.fill('input[name=currentPassword]', 'amy-password');
    await amy.fill('input[name=newPassword]', 'amy-new-password');
    await press(amy, 'Change password');
    await visit(amy, 'your account, password changed', undefined, 200);

    const visitor = await newPage();
    await visit(visitor, 'invitation', new URL(invite!).pathname, 200);
    await visitor.fill('input[name=password]', 'short');
    await press(visitor, 'Create my account');
    await visit(visitor, 'invitation, a short password', undefined, 400);
    await visit(visitor, 'a used or unknown link', `/invite/${'A'.repeat(43)}`, 410);
    await visit(visitor, 'password reset', '/password-reset', 200);
    // Spaces pass the browser's `required`; the server refuses them.
    await visitor.fill('input[name=username]', '   ');
    await press(visitor, 'Email me a link');
    await visit(visitor, 'password reset, no username', undefined, 400);
    await visitor.fill('input[name=username]', 'alice');
    await press(visitor, 'Email me a link');
    await visit(visitor, 'password reset, asked', undefined, 200);
    const amyUser = await usersRepository(t.database.db).findByUsername(DEMO.a.tenant, 'amy');
    const reset = await passwordResetsRepository(t.database.db).create(DEMO.a.tenant, amyUser!.id);
    await visit(visitor, 'new password', `/password-reset/${reset!.token}`, 200);
    await visitor.fill('input[name=password]', 'short');
    await press(visitor, 'Set new password');
    await visit(visitor, 'new password, too short', undefined, 400);

    await Promise.all(contexts.map((context) => context.close()));
    expect(problems).toEqual([]);
  }, 180_000);

  it('when an owner manages domains (none, a refused one, a long one pending, one verified), then the page passes the same checks', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const check = async (label: string, expected: number) => {
      expect(await status(page), label).toBe(expected);
      problems.push(...(await pageProblems(page, `domains, ${label}`)));
    };
    const domains = `http://${DEMO.a.host}:${port}/admin/domains`;
    await page.goto(`http://${DEMO.a.host}:${port}/login`);
    await submitSignIn(page, DEMO.a);
    await page.goto(domains);
    await check('none yet', 200);

    await page.fill('input[name=domain]', '192.0.2.1');
    await press(page, 'Add domain');
    await check('a refused form', 400);
    expect(await page.locator('input[name=domain]').getAttribute('aria-invalid')).toBe('true');

    const long = `${'a-very-long-label-of-a-shop'.repeat(2)}.${'subdomain'.repeat(5)}.example.com`;
    await page.fill('input[name=domain]', long);
    await press(page, 'Add domain');
    await page.fill('input[name=domain]', 'shop.example.com');
    await press(page, 'Add domain');
    const token = await page.locator('[data-testid=domain] dd code').nth(3).textContent();
    dns.setTxt('_tenantry.shop.example.com', token!);
    await press(page, 'Verify shop.example.com');
    await press(page, `Verify ${long}`);
    await check('one pending after a check, one verified', 200);
    expect(await page.locator('[data-status=verified]').count()).toBe(1);
    expect(await page.locator('[data-status=pending]').textContent()).toContain('No TXT record');
    await context.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('when the landing page lists every tenant, yellow included, then it passes the same checks', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`http://localhost:${port}/`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('main').textContent()).toContain(YELLOW.name);
    expect(await pageProblems(page, 'the landing page')).toEqual([]);
    await page.close();
  }, 60_000);
});
