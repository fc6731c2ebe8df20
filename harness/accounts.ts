import type { Express } from 'express';
import request from 'supertest';
import { cookiesOf } from './cookies.ts';
import { DEMO } from './demo.ts';
import type { UserView } from '../src/accounts/views.ts';

/** The demo tenant A's member (db:seed), beside its owner alice. */
export const AMY = { host: DEMO.a.host, username: 'amy', password: 'amy-password' } as const;

/** A signed-in client of one tenant: JSON API calls with its cookie and Host. */
export function client(app: Express, host: string, cookie: string) {
  const as = (r: request.Test) => r.set('Host', host).set('Cookie', cookie);
  return {
    cookie,
    users: () => as(request(app).get('/api/admin/users')),
    invitations: () => as(request(app).get('/api/admin/invitations')),
    invite: (body: object) => as(request(app).post('/api/admin/invitations')).send(body),
    change: (id: string, body: object) =>
      as(request(app).patch(`/api/admin/users/${id}`)).send(body),
    remove: (id: string) => as(request(app).delete(`/api/admin/users/${id}`)),
    changePassword: (body: object) => as(request(app).post('/api/account/password')).send(body),
    me: () => as(request(app).get('/api/me')),
    notes: () => as(request(app).get('/api/notes')),
    addNote: (text: string) => as(request(app).post('/api/notes')).send({ text }),
    get: (path: string) => as(request(app).get(path)),
    form: (path: string, fields: Record<string, string> = {}) =>
      as(request(app).post(path)).type('form').send(fields),
  };
}

/** The admin API's list of users, as that client sees it (fails unless 200). */
export async function usersSeenBy(api: ReturnType<typeof client>): Promise<UserView[]> {
  const res = await api.users();
  if (res.status !== 200)
    throw new Error(`GET /api/admin/users answered ${res.status} ${res.text}`);
  return (res.body as { users: UserView[] }).users;
}

/** The id of `username` in the admin API's list, as that client sees it. */
export async function idOf(api: ReturnType<typeof client>, username: string): Promise<string> {
  const user = (await usersSeenBy(api)).find((u) => u.username === username);
  if (!user) throw new Error(`${username} is not in the list`);
  return user.id;
}

/**
 * Accepts the invitation at `url` through its form, as its browser would, and returns the new
 * session's cookie; throws unless the answer is the 303 to `/` with a cookie.
 */
export async function acceptInvitation(
  app: Express,
  url: string,
  fields: { password: string; displayName?: string },
): Promise<string> {
  const { host, pathname } = new URL(url);
  const res = await request(app).post(pathname).set('Host', host).type('form').send(fields);
  const [cookie] = cookiesOf(res);
  if (res.status !== 303 || res.headers.location !== '/' || !cookie) {
    throw new Error(`accepting ${pathname} answered ${res.status} ${res.text}`);
  }
  return cookie;
}
