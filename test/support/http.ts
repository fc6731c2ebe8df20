import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';

/** The `name=value` part of each Set-Cookie header. */
export function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return list.map((c) => c.split(';')[0]!);
}

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
  const [cookie] = setCookies(res);
  expect(cookie).toBeDefined();
  return cookie!;
}

/** The session id inside an express-session cookie value `s:<id>.<signature>`. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}
