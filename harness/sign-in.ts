import type { Express } from 'express';
import request from 'supertest';
import { cookiesOf } from './cookies.ts';

export interface Who {
  host: string;
  username: string;
  password: string;
}

/**
 * Signs in through POST /login, as the form does, and returns the `name=value` cookie to send
 * afterwards; throws unless the answer is the 303 with a cookie. `target` is an Express app (tested
 * in-process) or the loopback port or URL of a running server: supertest takes either, and sends
 * the tenant's Host header to both. `userAgent` makes it one browser's sign-in (the session
 * records it). Bounded, so a server that hangs fails the caller, not the run; the bound is wide
 * because tests sign in as setup several at once, each a scrypt hash, and the app runs a few at a
 * time (src/auth/hash-queue.ts): on a busy two-core machine the last waits.
 */
export async function signIn(
  target: Express | number | string,
  who: Who,
  { userAgent }: { userAgent?: string } = {},
): Promise<string> {
  const req = request(typeof target === 'number' ? `http://127.0.0.1:${target}` : target)
    .post('/login')
    .set('Host', who.host);
  if (userAgent) req.set('User-Agent', userAgent);
  const res = await req
    .type('form')
    .send({ username: who.username, password: who.password })
    .timeout(20_000);
  const [cookie] = cookiesOf(res);
  if (res.status !== 303 || !cookie) {
    throw new Error(`sign-in as ${who.username} at ${who.host} answered ${res.status} ${res.text}`);
  }
  return cookie;
}

/**
 * Signs each in, `atOnce` at a time (1 by default: scrypt is slow by design, and many at once on a
 * loaded two-core machine time out), and returns each one's Host and cookie, as a load's clients.
 */
export async function signInEach(
  target: Express | number | string,
  people: readonly Who[],
  { atOnce = 1 }: { atOnce?: number } = {},
): Promise<{ host: string; cookie: string }[]> {
  const clients = [];
  for (let i = 0; i < people.length; i += atOnce) {
    const batch = people.slice(i, i + atOnce);
    const cookies = await Promise.all(batch.map((who) => signIn(target, who)));
    clients.push(...batch.map((who, k) => ({ host: who.host, cookie: cookies[k]! })));
  }
  return clients;
}

/** Signs each in, one after the other, and returns their cookies under the names given. */
export async function cookiesOfEach<Name extends string>(
  target: Express | number | string,
  people: Record<Name, Who>,
): Promise<Record<Name, string>> {
  const clients = await signInEach(target, Object.values<Who>(people));
  const names = Object.keys(people) as Name[];
  return Object.fromEntries(names.map((name, i) => [name, clients[i]!.cookie])) as Record<
    Name,
    string
  >;
}
