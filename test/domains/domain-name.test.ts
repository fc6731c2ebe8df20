import { describe, expect, it } from 'vitest';
import { MAX_DOMAIN_LENGTH, parseDomain } from '../../src/domains/domain-name.ts';

describe('a domain as a tenant types it', () => {
  it.each([
    ['Shop.Example.COM', 'shop.example.com'],
    ['shop.example.com.', 'shop.example.com'],
    ['  shop.example.com  ', 'shop.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.Example.', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['ＳＨＯＰ.example', 'shop.example'],
  ])('when it is %j, then it is stored as %j', (typed, stored) => {
    expect(parseDomain(typed)).toEqual({ domain: stored });
  });

  it.each([
    ['1.2.3.4', /IP address/],
    ['127.1', /IP address/],
    ['0x7f.1', /IP address/],
    ['[::1]', /IP address/],
    ['2001:db8::1', /IP address/],
    ['localhost', /localhost/],
    ['LOCALHOST.', /localhost/],
    ['shop.localhost', /localhost/],
    ['example', /no dot/],
    ['*.example.com', /not a domain name/],
    ['https://shop.example.com/', /not a domain name/],
    ['shop.example.com:8443', /not a domain name/],
    ['shop_1.example.com', /not a domain name/],
    ['-shop.example.com', /not a domain name/],
    ['shop..example.com', /not a domain name/],
    ['', /Type a domain name/],
    [`${'a'.repeat(60)}.`.repeat(4) + 'com', new RegExp(`at most ${MAX_DOMAIN_LENGTH}`)],
  ])('when it is %j, then it is refused with a message', (typed, message) => {
    const parsed = parseDomain(typed);
    expect(parsed.domain).toBeUndefined();
    expect(parsed.problem).toMatch(message);
  });
});
