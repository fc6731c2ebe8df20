import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import type { AccountSession } from '../src/auth/account-sessions.ts';
import { sessionIdOf } from './cookies.ts';
import { signIn, type Who } from './sign-in.ts';

/** User-Agent headers of two real browsers, so a user's sessions can be told apart. */
export const BROWSERS = {
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  safari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  chrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
} as const;

/** One browser's session: its Cookie header value and the bare session id inside it. */
export interface Signed {
  cookie: string;
  sid: string;
}

/** Signs in through POST /login with a User-Agent, as one browser would (see signIn). */
export async function signInWith(app: Express, who: Who, userAgent: string): Promise<Signed> {
  const cookie = await signIn(app, who, { userAgent });
  return { cookie, sid: sessionIdOf(cookie) };
}

/** GET /api/sessions as that browser; fails the test unless it answers 200. */
export async function sessionsOf(app: Express, host: string, cookie: string) {
  const res = await request(app).get('/api/sessions').set('Host', host).set('Cookie', cookie);
  expect(res.status, res.text).toBe(200);
  return (res.body as { sessions: AccountSession[] }).sessions;
}

/** POST /logout with everywhere=1, as that browser's "Sign out everywhere" button sends it. */
export const signOutEverywhere = (app: Express, host: string, cookie: string) =>
  request(app)
    .post('/logout')
    .set('Host', host)
    .set('Cookie', cookie)
    .type('form')
    .send({ everywhere: '1' });

/** Whether GET /api/me says this cookie is signed in (200) or not (401). */
export async function signedIn(app: Express, host: string, cookie: string): Promise<boolean> {
  const res = await request(app).get('/api/me').set('Host', host).set('Cookie', cookie);
  expect([200, 401]).toContain(res.status);
  return res.status === 200;
}

export const sessionKey = (appName: string, tenant: string, sid: string) =>
  `sessions:${tenant}:${appName}:${sid}`;
export const indexKey = (appName: string, tenant: string, username: string) =>
  `user-sessions:{${tenant}:${appName}:${username}}`;
