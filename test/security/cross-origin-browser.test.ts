import type { Server } from 'node:http';
import express from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../harness/browser-stack.ts';
import { DEMO } from '../../harness/demo.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { missingChromium, prerequisitesTest } from '../../harness/prerequisites.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * The cross-origin check in a real browser. curl-style tests cannot show the trap: under helmet's
 * `Referrer-Policy: no-referrer`, Chromium sends `Origin: null` on a same-origin form post, so an
 * Origin-only check would lock every real user out while the other tests stay green.
 */
const missing = missingChromium();

let t: TestApp;
let server: Server;
let port: number;
let browser: Browser;
let context: BrowserContext;
/** The headers of each POST as the server received them (what the browser really sent). */
const posts: IncomingHttpHeaders[] = [];

prerequisitesTest('test/security/cross-origin-browser.test.ts', missing);

beforeAll(async () => {
  if (missing.length > 0) return;
  t = await createTestApp();
  const recorder = express();
  recorder.use((req, _res, next) => {
    if (req.method === 'POST') posts.push(req.headers);
    next();
  });
  recorder.use(t.app);
  ({ server, port } = await listen(recorder));
  // Every *.localhost to our loopback server, whatever the resolver of the machine does.
  browser = await launchChromium(['--host-resolver-rules=MAP *.localhost 127.0.0.1']);
  context = await browser.newContext();
  // Fail fast: a refused form shows up as a page that never arrives.
  context.setDefaultTimeout(5000);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (server) await closeServer(server);
  await t?.close();
});

const url = (host: string, path: string) => `http://${host}:${port}${path}`;

describe.skipIf(missing.length > 0)('cross-origin protection in Chromium', () => {
  it('when a user signs in and out with the site’s own forms, then both work although Origin is null', async () => {
    const page = await context.newPage();
    const form = await page.goto(url(DEMO.a.host, '/login'));
    expect(form?.headers()['referrer-policy']).toBe('no-referrer'); // helmet's default

    await page.fill('input[name=username]', 'alice');
    await page.fill('input[name=password]', 'alice-password');
    await Promise.all([page.waitForURL(url(DEMO.a.host, '/')), page.click('button[type=submit]')]);
    // The trap, as the browser really springs it:
    expect(posts.at(-1)).toMatchObject({ origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(await page.textContent('[data-testid=signed-in-as]')).toContain('Alice Anders');

    await Promise.all([
      page.waitForURL(url(DEMO.a.host, '/')),
      page.getByRole('button', { name: 'Sign out', exact: true }).click(),
    ]);
    expect(posts.at(-1)).toMatchObject({ origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(await page.textContent('main')).toContain('not signed in');
    await page.close();
  });

  it('when a page of another tenant posts to this one, then the browser gets 403 and the user stays signed in', async () => {
    const page = await context.newPage();
    await page.goto(url(DEMO.a.host, '/login'));
    await page.fill('input[name=username]', 'alice');
    await page.fill('input[name=password]', 'alice-password');
    await Promise.all([page.waitForURL(url(DEMO.a.host, '/')), page.click('button[type=submit]')]);

    // An attacker's page served at customer B (any page there would do): a form aimed at A.
    const attacker = await context.newPage();
    await attacker.route(url(DEMO.b.host, '/attack'), (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${url(DEMO.a.host, '/logout')}"><button>win a prize</button></form>`,
      }),
    );
    await attacker.goto(url(DEMO.b.host, '/attack'));
    const answered = attacker.waitForResponse((r) => r.url() === url(DEMO.a.host, '/logout'));
    await attacker.click('button');
    expect((await answered).status()).toBe(403);
    expect(['cross-site', 'same-site']).toContain(posts.at(-1)?.['sec-fetch-site']);
    await attacker.waitForLoadState();
    expect(await attacker.textContent('main')).toContain('Cross-origin request refused');

    await page.reload();
    expect(await page.textContent('[data-testid=signed-in-as]')).toContain('Alice Anders');
    await Promise.all([attacker.close(), page.close()]);
  });
});
