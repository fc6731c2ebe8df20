import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, startBrowserStack, submitSignIn } from '../../harness/browser-stack.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../../harness/demo.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { missingForBrowserTest, prerequisitesTest } from '../../harness/prerequisites.ts';
import type { Stack } from '../../harness/stack/start-stack.ts';

const missing = missingForBrowserTest();

prerequisitesTest('test/e2e/browser.test.ts', missing);

describe.skipIf(missing.length > 0)(
  'in a real browser, through Caddy, two replicas and Redis',
  () => {
    let stack: Stack;
    let tenantsDir: string;
    let browser: Browser;
    let context: BrowserContext;
    const output: string[] = [];
    const a = () => stack.url(`${DEMO.a.host}`);
    const b = () => stack.url(`${DEMO.b.host}`);

    beforeAll(async () => {
      // A copy of the demo tenants, so a test may add one without touching the repository.
      tenantsDir = mkdtempSync(join(tmpdir(), 'tenantry-e2e-tenants-'));
      cpSync(DEMO_TENANTS_DIR, tenantsDir, { recursive: true });
      ({ stack, browser } = await startBrowserStack({
        tenantsDir,
        appEnv: { LOG_LEVEL: 'warn' },
        log: (name, line) => void output.push(`${name} | ${line}`),
      }));
      context = await browser.newContext({ viewport: { width: 760, height: 260 } });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      rmSync(tenantsDir, { recursive: true, force: true });
      if (output.some((line) => /"level":(50|60)/.test(line))) {
        console.error(`errors logged by the stack:\n${output.slice(-40).join('\n')}`);
      }
    });

    /** Signs in through the form, as a person would, and returns the page it lands on. */
    async function signIn(page: Page, origin: string, username: string, password: string) {
      await page.goto(`${origin}/login`);
      await submitSignIn(page, { username, password });
    }
    const signedInAs = (page: Page) => page.getByTestId('signed-in-as');

    /** `count` same-origin fetches of /api/me from the page: who each replica says is signed in. */
    async function whoAmI(page: Page, count: number) {
      return page.evaluate(async (n) => {
        const answers: { status: number; replica: string | null; user: string | undefined }[] = [];
        for (let i = 0; i < n; i++) {
          const res = await fetch('/api/me', { cache: 'no-store' });
          const body = (await res.json()) as { user?: { username: string } };
          answers.push({
            status: res.status,
            replica: res.headers.get('x-served-by'),
            user: body.user?.username,
          });
        }
        return answers;
      }, count);
    }

    it('keeps alice and bob signed in side by side on their own tenants, across replicas and a restart', async () => {
      const pageA = await context.newPage();
      await signIn(pageA, a(), DEMO.a.username, DEMO.a.password);
      expect(new URL(pageA.url()).pathname).toBe('/');
      await expect.poll(() => signedInAs(pageA).textContent()).toContain('Alice Anders');

      // Same browser, other tenant: a stranger there, and alice's password means nothing.
      const pageB = await context.newPage();
      await pageB.goto(b());
      expect(await pageB.textContent('main')).toContain('You are not signed in at Customer B');
      expect(await signedInAs(pageB).count()).toBe(0);
      await signIn(pageB, b(), DEMO.a.username, DEMO.a.password);
      expect(await pageB.getByRole('alert').textContent()).toContain('Wrong username or password');
      expect(await signedInAs(pageB).count()).toBe(0);

      await signIn(pageB, b(), DEMO.b.username, DEMO.b.password);
      await expect.poll(() => signedInAs(pageB).textContent()).toContain('Bob Brandt');

      // Both stay signed in, each on its own host-only cookie, beside its own device cookie.
      await pageA.reload();
      expect(await signedInAs(pageA).textContent()).toContain('Alice Anders');
      const cookies = await context.cookies();
      const domainsOf = (name: string) =>
        cookies
          .filter((c) => c.name === name)
          .map((c) => c.domain)
          .sort();
      expect(domainsOf('sid')).toEqual([DEMO.a.host, DEMO.b.host]);
      expect(domainsOf('sid-device')).toEqual([DEMO.a.host, DEMO.b.host]);
      expect(cookies).toHaveLength(4);
      await saveScreenshot(pageA, 'customer-a-signed-in.png');
      await saveScreenshot(pageB, 'customer-b-signed-in.png');

      // Round robin: consecutive requests of one session land on both replicas, and each
      // replica finds the session in Redis.
      const spread = await whoAmI(pageA, 8);
      expect(spread.every((r) => r.status === 200 && r.user === DEMO.a.username)).toBe(true);
      expect(new Set(spread.map((r) => r.replica))).toEqual(new Set(['app-1', 'app-2']));
      expect(spread.some((r, i) => i > 0 && r.replica !== spread[i - 1]!.replica)).toBe(true);

      // One replica goes away mid-session: the other serves, alice notices nothing.
      const [first] = stack.replicas;
      await first!.stop();
      for (let i = 0; i < 4; i++) {
        const res = await pageA.reload();
        expect(res?.headers()['x-served-by']).toBe('app-2');
        expect(await signedInAs(pageA).textContent()).toContain('Alice Anders');
      }
      await first!.start();
      // Caddy gives a failed upstream a rest (fail_duration) before sending it requests again.
      const back = await eventually(
        async () => {
          const answers = await whoAmI(pageA, 4);
          if (!answers.some((r) => r.replica === 'app-1')) throw new Error('app-1 not back yet');
          return answers;
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      );
      expect(back.every((r) => r.status === 200 && r.user === DEMO.a.username)).toBe(true);

      // Signing out at A leaves B alone.
      await pageA.getByRole('button', { name: 'Sign out', exact: true }).click();
      await pageA.waitForLoadState();
      expect(await signedInAs(pageA).count()).toBe(0);
      expect(await pageA.textContent('main')).toContain('You are not signed in at Customer A');
      await pageB.reload();
      expect(await signedInAs(pageB).textContent()).toContain('Bob Brandt');
      expect((await whoAmI(pageA, 1))[0]!.status).toBe(401);
      // The browser kept what Clear-Site-Data "cache", "storage" does not touch: B's session and
      // A's device cookie (a "cookies" directive would have taken both on sibling subdomains).
      const left = (await context.cookies()).map((c) => `${c.name}@${c.domain}`).sort();
      expect(left).toEqual(
        [`sid@${DEMO.b.host}`, `sid-device@${DEMO.a.host}`, `sid-device@${DEMO.b.host}`].sort(),
      );
    }, 60_000);

    it('lets alice see her two browsers on "Your sessions" and end the other one', async () => {
      // Two browser contexts: two devices with their own cookie jars. The second plays alice's
      // phone (its User-Agent), so the page tells them apart as it would for her.
      const laptop = await browser.newContext({ viewport: { width: 900, height: 460 } });
      const phone = await browser.newContext({
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      });
      try {
        const onPhone = await phone.newPage();
        await signIn(onPhone, a(), DEMO.a.username, DEMO.a.password);
        await expect.poll(() => signedInAs(onPhone).textContent()).toContain('Alice Anders');
        const onLaptop = await laptop.newPage();
        await signIn(onLaptop, a(), DEMO.a.username, DEMO.a.password);

        await onLaptop.getByRole('link', { name: 'Your sessions' }).click();
        await onLaptop.waitForLoadState();
        expect(new URL(onLaptop.url()).pathname).toBe('/account/sessions');
        const rows = onLaptop.getByTestId('session');
        await expect.poll(() => rows.count()).toBe(2);
        const current = onLaptop.locator('[data-testid=session][data-current=true]');
        expect(await current.textContent()).toContain('This session');
        expect(await current.textContent()).toContain('Chrome on Linux');
        const other = onLaptop.locator('[data-testid=session][data-current=false]');
        expect(await other.textContent()).toContain('Safari on iOS');
        await saveScreenshot(onLaptop, 'sessions-page.png');

        // End the phone's session from the laptop: the phone is signed out at its next request,
        // whichever replica serves it.
        await other.getByRole('button', { name: /^End the session on Safari on iOS/ }).click();
        await onLaptop.waitForLoadState();
        await expect.poll(() => rows.count()).toBe(1);
        expect(await signedInAs(onLaptop).textContent()).toContain('Alice Anders');
        await onPhone.reload();
        expect(await signedInAs(onPhone).count()).toBe(0);
        expect((await whoAmI(onPhone, 2)).map((r) => r.status)).toEqual([401, 401]);
        expect((await whoAmI(onLaptop, 2)).map((r) => r.status)).toEqual([200, 200]);
      } finally {
        await laptop.close();
        await phone.close();
      }
    }, 60_000);

    it('answers 404 through the proxy for a host no tenant claims', async () => {
      const page = await context.newPage();
      const res = await page.goto(stack.url('unknown.localhost'));
      expect(res?.status()).toBe(404);
      expect(await context.cookies(stack.url('unknown.localhost'))).toEqual([]);
      await page.close();
    });

    it('replaces a client X-Forwarded-Host: the tenant is the one in Host', async () => {
      const res = await plainRequest({
        port: stack.proxyPort,
        host: `${DEMO.a.host}:${stack.proxyPort}`,
        headers: { 'X-Forwarded-Host': DEMO.b.host, Accept: 'text/html' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toContain(DEMO.a.name);
      expect(res.body).not.toContain(DEMO.b.name);
    });

    it('serves a new tenant file through the unchanged proxy, without a restart', async () => {
      const c = JSON.parse(readFileSync(join(tenantsDir, 'customer-c.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const host = 'customer-d.localhost';
      writeFileSync(
        join(tenantsDir, 'customer-d.json'),
        JSON.stringify({ ...c, id: 'customer-d', name: 'Customer D', hosts: [host] }),
      );
      // Both replicas watch the directory; check a few requests so each one is asked.
      await eventually(async () => {
        for (let i = 0; i < 4; i++) {
          const res = await plainRequest({
            port: stack.proxyPort,
            host: `${host}:${stack.proxyPort}`,
          });
          if (res.status !== 200 || !res.body.includes('Customer D')) {
            throw new Error(`${String(res.headers['x-served-by'])} answered ${res.status}`);
          }
        }
      });
    });
  },
);
