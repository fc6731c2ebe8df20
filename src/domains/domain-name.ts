import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export type ParsedDomain =
  { domain: string; problem?: never } | { domain?: never; problem: string };

/** A DNS label as browsers send hosts: ASCII letters, digits and inner hyphens (punycode too). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** The longest domain whose `_tenantry.` name still fits DNS's 253 characters. */
export const MAX_DOMAIN_LENGTH = 243;
/** A last label a URL parser reads as a number: the name is an IPv4 address (`127.1`, `0x7f.1`). */
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;

/**
 * A domain a tenant typed, in the one form it is stored, served and looked up by: lower case, no
 * trailing dot, an internationalised name as punycode (what browsers send as Host). Refuses, with
 * a message, whatever could never be a customer's public host name: IP literals, `localhost` and
 * names under it (every browser keeps those on the visitor's own machine), a name without a dot.
 */
export function parseDomain(input: string): ParsedDomain {
  const typed = input.trim().replace(/\.$/, '');
  if (typed === '') return { problem: 'Type a domain name, such as shop.example.com.' };
  if (typed.length > 2 * MAX_DOMAIN_LENGTH) return { problem: 'That domain name is too long.' };
  const lastLabel = typed.split('.').at(-1) ?? '';
  if (isIP(typed.replace(/^\[(.*)\]$/, '$1')) !== 0 || NUMERIC_LABEL.test(lastLabel)) {
    return { problem: `${typed} is an IP address: add a domain name that points to this site.` };
  }
  const domain = domainToASCII(typed).toLowerCase();
  if (domain === 'localhost' || domain.endsWith('.localhost')) {
    return { problem: 'localhost and the names under it never leave a visitor’s own computer.' };
  }
  if (domain === '' || !domain.split('.').every((label) => LABEL.test(label))) {
    return {
      problem: `${typed} is not a domain name: letters, digits, hyphens and dots only, with no scheme, port or path.`,
    };
  }
  if (!domain.includes('.')) {
    return { problem: `${domain} has no dot: add a full domain name, such as shop.example.com.` };
  }
  if (domain.length > MAX_DOMAIN_LENGTH) {
    return { problem: `A domain name is at most ${MAX_DOMAIN_LENGTH} characters.` };
  }
  return { domain };
}

/** The name the TXT record is published at. */
export const recordNameOf = (domain: string) => `_tenantry.${domain}`;
