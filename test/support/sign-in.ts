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
 * the tenant's Host header to both. Bounded, so a server that hangs fails the caller, not the run.
 */
export async function signIn(target: Express | number | string, who: Who): Promise<string> {
  const res = await request(typeof target === 'number' ? `http://127.0.0.1:${target}` : target)
    .post('/login')
    .set('Host', who.host)
    .type('form')
    .send({ username: who.username, password: who.password })
    .timeout(5000);
  const [cookie] = cookiesOf(res);
  if (res.status !== 303 || !cookie) {
    throw new Error(`sign-in as ${who.username} at ${who.host} answered ${res.status} ${res.text}`);
  }
  return cookie;
}
