import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf } from '../../harness/cookies.ts';
import { submitSignIn } from '../../harness/browser-stack.ts';
import { DEMO } from '../../harness/demo.ts';
import { missingForEdgeTest } from '../../harness/edge-stack.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { startStack, type Stack } from '../../harness/stack/start-stack.ts';
import { launchTrustingChromium } from '../../harness/trusting-chromium.ts';

const missing = missingForEdgeTest();
prerequisitesTest('test/edge/local-https.test.ts', missing);

describe.skipIf(missing.length > 0)('the demo hosts over HTTPS (Caddy’s local CA) and HTTP', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let localRoot: string;

  beforeAll(async () => {
    stack = await startStack({ appEnv: { LOG_LEVEL: 'warn' } });
    localRoot = readFileSync(stack.localRoot, 'utf8');
    browser = await launchTrustingChromium([localRoot]);
    context = await browser.newContext();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('when alice opens her tenant over HTTPS with Caddy’s root trusted, then the page is trusted and her session cookie is __Host-sid', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${stack.httpsUrl(DEMO.a.host)}/login`);
    expect(res?.status()).toBe(200);
    expect((await res?.securityDetails())?.issuer).toMatch(/^Caddy Local Authority/);
    // The demo never pins a browser to HTTPS: its plain-HTTP links must keep working.
    expect(res?.headers()['strict-transport-security']).toBeUndefined();

    await submitSignIn(page, DEMO.a);
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Alice Anders');
    const cookies = await context.cookies(stack.httpsUrl(DEMO.a.host));
    expect(cookies.map((c) => [c.name, c.secure]).sort()).toEqual([
      ['__Host-sid', true],
      ['__Host-sid-device', true],
    ]);
    await page.close();
  });

  it('when the same browser then opens the host over HTTP, then it is served there, not redirected, and signed out (a different cookie)', async () => {
    const page = await context.newPage();
    const res = await page.goto(stack.url(DEMO.a.host));
    expect(res?.status()).toBe(200);
    expect(res?.request().redirectedFrom()).toBeNull();
    expect(page.url()).toBe(`${stack.url(DEMO.a.host)}/`);
    expect(await page.textContent('main')).toContain('You are not signed in at Customer A');
    await page.close();
  });

  it('when a client sends its own X-Forwarded-For, -Host, -Proto and X-Request-Id, then Caddy’s values replace them before the app sees them', async () => {
    const forged = {
      'X-Forwarded-For': '203.0.113.9',
      'X-Forwarded-Host': DEMO.b.host,
      'X-Request-Id': 'chosen-by-the-client',
    };
    const http = { port: stack.proxyPort, host: `${DEMO.a.host}:${stack.proxyPort}` };
    const https = { port: stack.tlsPort, host: `${DEMO.a.host}:${stack.tlsPort}`, ca: localRoot };
    // Over HTTP a forged "https" would earn a __Host- cookie; over HTTPS a forged "http" a plain one.
    for (const [via, proto, cookieName] of [
      [http, 'https', 'sid'],
      [https, 'http', '__Host-sid'],
    ] as const) {
      const form = { username: DEMO.a.username, password: DEMO.a.password };
      const headers = { ...forged, 'X-Forwarded-Proto': proto };
      // alice exists at A only: a 303 means the app saw Host, not the forged X-Forwarded-Host.
      const login = await plainRequest({ ...via, path: '/login', form, headers });
      expect(login.status, login.body).toBe(303);
      expect(login.headers['x-request-id']).not.toBe(forged['X-Request-Id']);
      const cookie = cookiesOf(login).find((c) => c.startsWith(`${cookieName}=`));
      expect(cookie, String(login.headers['set-cookie'])).toBeDefined();

      const sessions = await plainRequest({ ...via, path: '/api/sessions', cookie, headers });
      const { sessions: list } = JSON.parse(sessions.body) as {
        sessions: { current: boolean; ip: string }[];
      };
      // The address Caddy saw (it connects from loopback too, but names the client's).
      expect(list.find((s) => s.current)?.ip).toBe('127.0.0.1');
    }
  });
});
