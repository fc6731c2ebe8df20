import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * X-Forwarded-Host and X-Forwarded-Proto are honoured only from the addresses in TRUST_PROXY.
 * supertest connects from 127.0.0.1, so `loopback` trusts it and 10.0.0.0/8 does not.
 */
const settings = {
  'unset (trust nobody)': undefined,
  'a CIDR that does not hold the client (10.0.0.0/8)': '10.0.0.0/8',
  'loopback (the client is the proxy)': 'loopback',
} as const;
const apps = new Map<string, TestApp>();

beforeAll(async () => {
  for (const [name, value] of Object.entries(settings)) {
    apps.set(name, await createTestApp({ env: value ? { TRUST_PROXY: value } : {} }));
  }
});
afterAll(async () => {
  await Promise.all([...apps.values()].map((t) => t.close()));
});

const trusted = (name: string) => settings[name as keyof typeof settings] === 'loopback';

describe.each(Object.keys(settings))('TRUST_PROXY %s', (name) => {
  it(`when X-Forwarded-Host names another tenant, then ${trusted(name) ? 'it is that tenant' : 'the Host decides'}`, async () => {
    const res = await request(apps.get(name)!.app)
      .get('/')
      .set('Host', DEMO.a.host)
      .set('X-Forwarded-Host', DEMO.b.host);
    expect(res.status).toBe(200);
    expect(res.text).toContain(trusted(name) ? DEMO.b.name : DEMO.a.name);
    expect(res.text).not.toContain(trusted(name) ? DEMO.a.name : DEMO.b.name);
  });

  it(`when X-Forwarded-Host names no tenant, then ${trusted(name) ? '404' : 'the Host decides'}`, async () => {
    const res = await request(apps.get(name)!.app)
      .get('/')
      .set('Host', DEMO.a.host)
      .set('X-Forwarded-Host', 'evil.example');
    expect(res.status).toBe(trusted(name) ? 404 : 200);
  });

  it(`when X-Forwarded-Proto is https, then the cookie is ${trusted(name) ? '`__Host-sid`, Secure' : 'plain `sid`, not Secure'}`, async () => {
    const res = await request(apps.get(name)!.app)
      .post('/login')
      .set('Host', DEMO.c.host)
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ username: 'carol', password: 'carol-password' });
    expect(res.status).toBe(303);
    const header = (res.headers['set-cookie'] as unknown as string[])[0]!;
    if (trusted(name)) {
      expect(cookiesOf(res)[0]).toMatch(/^__Host-sid=/);
      expect(header).toContain('Secure');
    } else {
      expect(cookiesOf(res)[0]).toMatch(/^sid=/);
      expect(header).not.toContain('Secure');
    }
  });
});

describe('TRUST_PROXY values', () => {
  it('when TRUST_PROXY is "true", then the configuration is refused: it would trust every client', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must not be "true"/);
  });

  it('when TRUST_PROXY names something that is not an address, then it is refused naming it', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'loopback, proxy.internal' })).toThrow(
      /proxy\.internal/,
    );
  });

  it('when TRUST_PROXY is addresses, CIDRs, names or a hop count, then Express gets exactly that', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 172.16.0.0/12, ::1' }).trustProxy).toEqual([
      'loopback',
      '172.16.0.0/12',
      '::1',
    ]);
  });
});
