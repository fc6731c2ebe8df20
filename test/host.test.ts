import { describe, expect, it } from 'vitest';
import { normalizeHost, parseHost } from '../src/tenants/host.ts';

describe('normalizeHost', () => {
  it.each([
    ['customer-a.localhost', 'customer-a.localhost'],
    ['Customer-A.LocalHost', 'customer-a.localhost'],
    ['customer-a.localhost:8080', 'customer-a.localhost'],
    ['customer-a.localhost.', 'customer-a.localhost'],
    ['CUSTOMER-A.localhost.:443', 'customer-a.localhost'],
    ['customer-a.localhost:1', 'customer-a.localhost'],
    ['customer-a.localhost:65535', 'customer-a.localhost'],
    ['xn--bcher-kva.localhost', 'xn--bcher-kva.localhost'],
    ['XN--BCHER-KVA.localhost', 'xn--bcher-kva.localhost'],
    // IPv4 literals are letters, digits and dots: probes are asked at 127.0.0.1:3000.
    ['127.0.0.1:3000', '127.0.0.1'],
  ])('when the host is %j, then it normalises to %j', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    '.',
    '..',
    ':',
    ':8080',
    '[::1]:8080',
    '[::1]',
    'customer-a.localhost:',
    'customer-a.localhost:http',
    'customer-a.localhost:abc',
    'customer-a.localhost:0',
    'customer-a.localhost:65536',
    'customer-a.localhost:99999',
    'customer-a.localhost:123456',
    'customer-a.localhost:80:80',
    'customer-a.localhost:80:81',
    'customer-a.localhost:+80',
    'customer-a.localhost: 80',
    '  customer-a.localhost  ',
    'a b.localhost',
    'evil.com/customer-a.localhost',
    'customer-a.localhost/evil',
    'customer-a.localhost?x',
    'customer-a.localhost#x',
    'customer-a..localhost',
    'customer-a.localhost%00',
    'user@customer-a.localhost',
    'customer_a.localhost',
    // Unicode is never converted: these reached customer-a through domainToASCII.
    'bücher.localhost',
    'customer-\u00aa.localhost',
    'cust\u00bamer-a.localhost',
    'customer-a\uff0elocalhost',
    'x'.repeat(64) + '.localhost',
    'x'.repeat(254),
  ])('when the host is %j, then it is not a host at all', (raw) => {
    expect(normalizeHost(raw)).toBeUndefined();
  });
});

describe('parseHost', () => {
  it('when the host has a port, then the port comes back as a number', () => {
    expect(parseHost('customer-a.localhost:8080')).toEqual({
      name: 'customer-a.localhost',
      port: 8080,
    });
    expect(parseHost('customer-a.localhost')).toEqual({ name: 'customer-a.localhost' });
  });
});
