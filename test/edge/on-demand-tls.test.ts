import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.ts';
import {
  handshake,
  missingForEdgeTest,
  startEdgeStack,
  type EdgeStack,
} from '../support/edge-stack.ts';
import { plainRequest } from '../support/http-client.ts';
import { prerequisitesTest } from '../support/prerequisites.ts';
import { tenantFilesCopy, type TenantFiles } from '../support/tenant-files.ts';
import { launchTrustingChromium } from '../support/trusting-chromium.ts';

const missing = missingForEdgeTest();
prerequisitesTest('test/edge/on-demand-tls.test.ts', missing);

/** customer-a's own host, outside .localhost: served only over HTTPS, by on-demand TLS. */
const SHOP = 'shop.customer-a.test';
/** customer-b's, first asked for while Redis is down. */
const LATER = 'shop.customer-b.test';
/** In the DNS, pointed at the proxy, but no tenant's. */
const STRANGER = 'stranger.customer-a.test';
/** A wildcard in the DNS pointed at the proxy, as someone who wants certificates minted might. */
const WILDCARD = 'wild.test';

describe.skipIf(missing.length > 0)('on-demand TLS through Caddy, from an ACME CA (pebble)', () => {
  let edge: EdgeStack;
  let files: TenantFiles;
  let browser: Browser;
  let pebbleRoot: string;
  const output: string[] = [];
  const https = (host: string, path = '/') => `${edge.stack.httpsUrl(host)}${path}`;

  beforeAll(async () => {
    files = await tenantFilesCopy();
    await files.edit(DEMO.a.tenant, (file) => void (file.hosts as string[]).push(SHOP));
    await files.edit(DEMO.b.tenant, (file) => void (file.hosts as string[]).push(LATER));
    edge = await startEdgeStack({
      tenantsDir: files.dir,
      hosts: [SHOP, LATER, STRANGER, `*.${WILDCARD}`],
      appEnv: { LOG_LEVEL: 'warn' },
      log: (name, line) => void output.push(`${name} | ${line}`),
    });
    pebbleRoot = await edge.pebble.issuingRoot();
    browser = await launchTrustingChromium(
      [pebbleRoot],
      [`--host-resolver-rules=MAP ${SHOP} 127.0.0.1, MAP ${STRANGER} 127.0.0.1`],
    );
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await files?.remove();
  });

  it('when a person opens a tenant’s own host over HTTP, then they land on HTTPS with a certificate from the CA, on that tenant, and can sign in', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${edge.stack.url(SHOP)}/login`);
      expect(page.url()).toBe(https(SHOP, '/login'));
      const security = await (await page.reload())?.securityDetails();
      expect(security?.issuer).toMatch(/^Pebble Intermediate CA/);
      expect(security?.subjectName).toBe(SHOP);
      expect(await edge.pebble.issued()).toContainEqual([SHOP]);

      await page.fill('input[name=username]', DEMO.a.username);
      await page.fill('input[name=password]', DEMO.a.password);
      await page.click('button[type=submit]');
      await page.waitForLoadState();
      expect(await page.getByTestId('signed-in-as').textContent()).toContain('Alice Anders');
      const [sid] = (await context.cookies()).filter((c) => c.name.endsWith('sid'));
      expect(sid).toMatchObject({ name: '__Host-sid', domain: SHOP, secure: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('when the tenant’s own host is asked over HTTP, then every answer is a redirect to the same URL on HTTPS, and HTTPS answers carry HSTS', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await plainRequest({
        port: edge.stack.proxyPort,
        host: `${SHOP}:${edge.stack.proxyPort}`,
        method,
        path: '/login?next=%2Fnotes',
      });
      expect(res.status, method).toBe(308);
      expect(res.headers.location).toBe(https(SHOP, '/login?next=%2Fnotes'));
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const page = await browser.newPage();
    try {
      const res = await page.goto(https(SHOP));
      expect(res?.status()).toBe(200);
      // No includeSubDomains: a customer's apex domain may keep other sites on plain HTTP.
      expect(res?.headers()['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await page.close();
    }
  });

  it('when a name no tenant has is asked for, then the handshake fails and the CA is never asked', async () => {
    const orders = edge.pebble.orders();
    const result = await handshake(edge.stack.tlsPort, STRANGER, pebbleRoot);
    expect(result.ok).toBe(false);
    const page = await browser.newPage();
    try {
      await expect(page.goto(https(STRANGER))).rejects.toThrow(/net::ERR_/);
    } finally {
      await page.close();
    }
    expect(edge.pebble.orders()).toBe(orders);
    expect((await edge.pebble.issued()).flat()).not.toContain(STRANGER);
  });

  it('when 200 random names under a wildcard are asked for at once, then none gets a certificate and the CA is never asked', async () => {
    const orders = edge.pebble.orders();
    const names = Array.from(
      { length: 200 },
      () => `${randomBytes(6).toString('hex')}.${WILDCARD}`,
    );
    const started = performance.now();
    const results = await Promise.all(
      names.map((n) => handshake(edge.stack.tlsPort, n, pebbleRoot)),
    );
    const ms = performance.now() - started;
    const failed = results.filter((r) => !r.ok).length;
    // The figures SECURITY.md quotes (certificate abuse).
    console.log(
      `200 random names under *.${WILDCARD}: ${failed} handshakes failed in ${Math.round(ms)} ms`,
    );
    expect(failed).toBe(200);
    expect(edge.pebble.orders()).toBe(orders);
    const issued = (await edge.pebble.issued()).flat();
    expect(issued.filter((name) => name.endsWith(`.${WILDCARD}`))).toEqual([]);
  }, 60_000);

  it('when Redis is down, then ask still answers from memory and a tenant host asked for the first time gets its certificate', async () => {
    const [replica] = edge.stack.replicas;
    const ask = (domain: string) =>
      plainRequest({ port: replica!.internalPort, path: `/tls/ask?domain=${domain}` });
    await edge.stack.redis.kill();
    try {
      expect((await ask(LATER)).status).toBe(200);
      expect((await ask(STRANGER)).status).toBe(404);
      const result = await handshake(edge.stack.tlsPort, LATER, pebbleRoot);
      expect(result.ok && result.cert.subjectaltname).toBe(`DNS:${LATER}`);
      expect(await edge.pebble.issued()).toContainEqual([LATER]);
    } finally {
      await edge.stack.redis.restart();
    }
  }, 60_000);
});
