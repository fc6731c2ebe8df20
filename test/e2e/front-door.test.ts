import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, startBrowserStack } from '../../harness/browser-stack.ts';
import { accessLogEntries, requestIdOf } from '../../harness/stack/caddy.ts';
import type { Stack } from '../../harness/stack/start-stack.ts';
import { missingForBrowserTest, prerequisitesTest } from '../../harness/prerequisites.ts';
import { DEMO } from '../../harness/demo.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';

const missing = missingForBrowserTest();

prerequisitesTest('test/e2e/front-door.test.ts', missing);

/** Caddy's request ids: a random UUID each. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.skipIf(missing.length > 0)('the front door and request ids, through Caddy', () => {
  let stack: Stack;
  let browser: Browser;
  const output: { name: string; line: string }[] = [];

  beforeAll(async () => {
    ({ stack, browser } = await startBrowserStack({
      appEnv: { LOG_LEVEL: 'info', NODE_ENV: 'development' },
      log: (name, line) => void output.push({ name, line }),
    }));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The access log entry with this request id, once Caddy has written it. */
  const logged = (id: string) =>
    eventually(
      async () => {
        const entry = accessLogEntries(stack.accessLog).find((e) => requestIdOf(e) === id);
        if (!entry) throw new Error(`${id} is not in ${stack.accessLog} yet`);
        return entry;
      },
      { timeoutMs: 5000 },
    );

  it('when one request passes Caddy, then the id the client gets is in Caddy’s access log and in the log of the replica that served it', async () => {
    const res = await plainRequest({
      port: stack.proxyPort,
      host: `${DEMO.a.host}:${stack.proxyPort}`,
      path: '/login?from=follow-test',
      // The edge replaces whatever a client sends.
      headers: { 'X-Request-Id': 'chosen-by-the-client' },
    });
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(UUID);

    const entry = await logged(id);
    expect(entry.status).toBe(200);
    expect(entry.request).toMatchObject({
      method: 'GET',
      uri: '/login?from=follow-test',
      host: `${DEMO.a.host}:${stack.proxyPort}`,
    });

    const appLines = await eventually(
      async () => {
        const lines = output
          .filter(({ name, line }) => name.startsWith('app-') && line.includes(`"reqId":"${id}"`))
          .map(({ name, line }) => ({ name, ...(JSON.parse(line) as Record<string, unknown>) }));
        if (lines.length === 0) throw new Error(`no app line has reqId ${id} yet`);
        return lines;
      },
      { timeoutMs: 5000 },
    );
    expect(appLines).toEqual([
      expect.objectContaining({
        name: res.headers['x-served-by'],
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/login?from=follow-test' }),
        res: { statusCode: 200 },
      }),
    ]);
    expect(output.some(({ line }) => line.includes('chosen-by-the-client'))).toBe(false);
  });

  it('when the app answers 404 for an unknown host, then the response carries exactly one id, the one Caddy logged', async () => {
    const res = await plainRequest({ port: stack.proxyPort, host: 'nobody.localhost', path: '/' });
    expect(res.status).toBe(404);
    const ids = res.headers['x-request-id'];
    expect(ids).toMatch(UUID);
    expect((await logged(ids as string)).status).toBe(404);
  });

  it('when a person opens http://localhost on the proxy, then the landing page’s links lead to each tenant', async () => {
    const page = await browser.newPage({ viewport: { width: 760, height: 480 } });
    try {
      const landing = await page.goto(stack.url('localhost'));
      expect(landing?.status()).toBe(200);
      expect(landing?.headers()['x-request-id']).toMatch(UUID);
      await saveScreenshot(page, 'landing-page.png');
      for (const who of [DEMO.a, DEMO.b, DEMO.c]) {
        await page.goto(stack.url('localhost'));
        await page.getByRole('link', { name: who.name }).click();
        await page.waitForURL(`${stack.url(who.host)}/`);
        expect(await page.locator('h1').textContent()).toBe(who.name);
      }
    } finally {
      await page.close();
    }
  });
});
