import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { DEMO } from '../../harness/demo.ts';
import { startDnsServer, startSilentDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { eventually } from '../../harness/polling.ts';
import { withSuperuser } from '../../harness/postgres-admin.ts';
import { suitePostgres } from '../../harness/postgres-databases.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { openReplica, type Replica } from '../../harness/replica-app.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingPostgres();
prerequisitesTest('test/domains/rechecks.test.ts', missing);

/** Adds `domain` for alice, publishes its token in `dns` and verifies it; returns the token. */
async function verifiedDomain(t: TestApp, dns: DnsServer, domain: string) {
  const cookie = await signIn(t.app, DEMO.a);
  const api = (path: string) =>
    request(t.app).post(path).set('Host', DEMO.a.host).set('Cookie', cookie);
  const added = await api('/api/admin/domains').send({ domain }).expect(201);
  const token = added.body.verification.value as string;
  dns.setTxt(`_tenantry.${domain}`, token);
  const res = await api(`/api/admin/domains/${domain}/verify`).expect(200);
  expect(res.body.status).toBe('verified');
  return { token, verify: () => api(`/api/admin/domains/${domain}/verify`) };
}

/** The domain's row as customer-a's transaction reads it. */
const rowOf = (t: TestApp, domain: string) =>
  withTenant(t.database.db, DEMO.a.tenant, (trx) =>
    trx
      .selectFrom('domains')
      .select(['status', 'checked_at', 'missing_since', 'check_problem'])
      .where('domain', '=', domain)
      .executeTakeFirstOrThrow(),
  );
const txtQuestions = (dns: DnsServer, domain: string) =>
  dns.questions().filter((q) => q.name === `_tenantry.${domain}` && q.type === 'TXT').length;

describe.skipIf(missing.length > 0)('re-checks of verified domains, on short settings', () => {
  const DOMAIN = 'recheck.example.com';
  let t: TestApp;
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
    t = await createTestApp({
      env: { DNS_SERVERS: dns.address, DOMAIN_RECHECK_SECONDS: '1', DOMAIN_GRACE_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await dns?.stop();
  });
  const served = async () => (await request(t.app).get('/').set('Host', DOMAIN)).status;

  it('when the record stays published, then each re-check finds it and the domain stays verified', async () => {
    await verifiedDomain(t, dns, DOMAIN);
    const asked = txtQuestions(dns, DOMAIN);
    await eventually(async () => expect(txtQuestions(dns, DOMAIN)).toBeGreaterThan(asked + 1), {
      timeoutMs: 15_000,
    });
    expect(await rowOf(t, DOMAIN)).toMatchObject({ status: 'verified', missing_since: null });
    expect(await served()).toBe(200);
  });

  it('when the record goes missing, then the grace period starts at the first re-check that misses it, and after it the domain is suspended and no longer served', async () => {
    dns.setTxt(`_tenantry.${DOMAIN}`);
    const missingSince = await eventually(
      async () => {
        const row = await rowOf(t, DOMAIN);
        expect(row.missing_since).not.toBeNull();
        return row;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    // Missing, but within the grace period: still verified and served.
    expect(missingSince.status).toBe('verified');
    expect(missingSince.check_problem).toMatch(/No TXT record/);
    const suspended = await eventually(
      async () => {
        const row = await rowOf(t, DOMAIN);
        expect(row.status).toBe('suspended');
        return row;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(
      suspended.checked_at!.getTime() - missingSince.missing_since!.getTime(),
    ).toBeGreaterThanOrEqual(2000);
    await eventually(async () => expect(await served()).toBe(404), { timeoutMs: 5000 });
  });

  it('when a suspended domain’s record is published again and it is verified, then it is served again', async () => {
    const [row] = await withTenant(t.database.db, DEMO.a.tenant, (trx) =>
      trx.selectFrom('domains').select('token').where('domain', '=', DOMAIN).execute(),
    );
    dns.setTxt(`_tenantry.${DOMAIN}`, row!.token);
    const cookie = await signIn(t.app, DEMO.a);
    const res = await request(t.app)
      .post(`/api/admin/domains/${DOMAIN}/verify`)
      .set('Host', DEMO.a.host)
      .set('Cookie', cookie)
      .expect(200);
    expect(res.body.status).toBe('verified');
    expect(await rowOf(t, DOMAIN)).toMatchObject({ missing_since: null, check_problem: null });
    await eventually(async () => expect(await served()).toBe(200), { timeoutMs: 5000 });
  });
});

describe.skipIf(missing.length > 0)('re-checks on several replicas', () => {
  const DOMAIN = 'claimed.example.com';
  let t: TestApp;
  let replica: Replica;
  let blind: Replica;
  let dns: DnsServer;
  let silent: Awaited<ReturnType<typeof startSilentDnsServer>>;

  beforeAll(async () => {
    dns = await startDnsServer();
    silent = await startSilentDnsServer();
    // A day between re-checks: nothing is due until a test makes it so.
    t = await createTestApp({ env: { DNS_SERVERS: dns.address } });
    replica = await openReplica(t);
    // A replica whose DNS server never answers.
    blind = await openReplica(t, {
      domains: { ...t.config.domains, dnsServers: [silent.address] },
    });
    await verifiedDomain(t, dns, DOMAIN);
  });
  afterAll(async () => {
    await blind?.close();
    await replica?.close();
    await t?.close();
    await dns?.stop();
    await silent?.stop();
  });

  /** Moves the domain's last check two days back, behind the app's back: it is due now. */
  const makeDue = () =>
    withSuperuser(suitePostgres()!, t.db.name, (db) =>
      sql`update domains set checked_at = now() - interval '2 days', verified_at = now() - interval '2 days'
          where domain = ${DOMAIN}`.execute(db),
    );

  it('when nothing is due, then a round checks nothing', async () => {
    expect(await t.domainRechecks.runOnce()).toBe(0);
  });

  it('when two replicas look for due domains at once, then exactly one of them looks the domain up', async () => {
    await makeDue();
    const asked = txtQuestions(dns, DOMAIN);
    const checked = await Promise.all([
      t.domainRechecks.runOnce(),
      replica.domainRechecks.runOnce(),
    ]);
    expect(checked.reduce((a, b) => a + b)).toBe(1);
    expect(txtQuestions(dns, DOMAIN)).toBe(asked + 1);
    expect(await t.domainRechecks.runOnce()).toBe(0);
  });

  it('when a re-check’s lookup times out, then it starts no grace period and the domain stays served', async () => {
    await makeDue();
    expect(await blind.domainRechecks.runOnce()).toBe(1);
    expect(await rowOf(t, DOMAIN)).toMatchObject({
      status: 'verified',
      missing_since: null,
      check_problem: expect.stringMatching(/timed out/),
    });
  });
});
