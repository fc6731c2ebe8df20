import { describe, expect, it } from 'vitest';
import { normalizeHost } from '../src/tenants/host.ts';

describe('normalizeHost', () => {
  it.each([
    ['customer-a.localhost', 'customer-a.localhost'],
    ['Customer-A.LocalHost', 'customer-a.localhost'],
    ['customer-a.localhost:8080', 'customer-a.localhost'],
    ['customer-a.localhost.', 'customer-a.localhost'],
    ['CUSTOMER-A.localhost.:443', 'customer-a.localhost'],
    ['  customer-a.localhost  ', 'customer-a.localhost'],
    ['bücher.localhost', 'xn--bcher-kva.localhost'],
    ['BÜCHER.localhost', 'xn--bcher-kva.localhost'],
    ['xn--bcher-kva.localhost', 'xn--bcher-kva.localhost'],
  ])('when the host is %j, then it normalises to %j', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    '.',
    ':8080',
    '[::1]:8080',
    'customer-a.localhost:http',
    'customer-a.localhost:80:80',
    'customer-a.localhost:123456',
    'a b.localhost',
    'evil.com/customer-a.localhost',
    'customer-a.localhost/evil',
    'customer-a.localhost?x',
    'customer-a.localhost#x',
    'customer-a..localhost',
    'customer-a.localhost%00',
    'user@customer-a.localhost',
    'x'.repeat(254),
  ])('when the host is %j, then it is not a host at all', (raw) => {
    expect(normalizeHost(raw)).toBeUndefined();
  });
});
