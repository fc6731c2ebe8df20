import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import { cookiesOf } from '../../scripts/stack/http.ts';

export { cookiesOf, setCookieHeaders } from '../../scripts/stack/http.ts';

/** Signs in through POST /login and returns the Cookie header value to send afterwards. */
export async function login(
  app: Express,
  who: { host: string; username: string; password: string },
): Promise<string> {
  const res = await request(app)
    .post('/login')
    .set('Host', who.host)
    .type('form')
    .send({ username: who.username, password: who.password });
  expect(res.status).toBe(303);
  const [cookie] = cookiesOf(res);
  expect(cookie).toBeDefined();
  return cookie!;
}

/** The session id inside an express-session cookie value `s:<id>.<signature>`. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}
