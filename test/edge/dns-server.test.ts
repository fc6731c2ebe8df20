import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../harness/dns-server.ts';

// The test DNS server the edge tests point pebble at (and domain checks, through DNS_SERVERS),
// asked by Node's own resolver as the app would ask it.
describe('the test DNS server', () => {
  let dns: DnsServer;
  const resolver = new Resolver({ timeout: 2000, tries: 1 });

  beforeAll(async () => {
    dns = await startDnsServer(['shop.customer-a.test', '*.wild.test']);
    resolver.setServers([dns.address]);
  });
  afterAll(() => dns?.stop());

  it('when a name or a name under a wildcard is asked for, then it answers 127.0.0.1, and nothing for others', async () => {
    expect(await resolver.resolve4('shop.customer-a.test')).toEqual(['127.0.0.1']);
    expect(await resolver.resolve4('any.thing.wild.test')).toEqual(['127.0.0.1']);
    await expect(resolver.resolve4('wild.test')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolve4('other.test')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('when a TXT record is set, replaced and removed, then resolvers see each state', async () => {
    const name = '_tenantry.shop.customer-a.test';
    dns.setTxt(name, 'first-token', 'second-token');
    expect((await resolver.resolveTxt(name)).flat().sort()).toEqual([
      'first-token',
      'second-token',
    ]);
    dns.setTxt(name, 'third-token');
    expect(await resolver.resolveTxt(name)).toEqual([['third-token']]);
    dns.setTxt(name);
    await expect(resolver.resolveTxt(name)).rejects.toMatchObject({ code: 'ENODATA' });
    expect(dns.questions()).toContainEqual({ name, type: 'TXT' });
  });
});
