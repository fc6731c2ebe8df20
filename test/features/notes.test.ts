import { rm } from 'node:fs/promises';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { loadConfig } from '../../src/config.ts';
import { MAX_NOTES_PER_USER } from '../../src/features/notes/notes-repository.ts';
import {
  NOTES_TTL_SECONDS,
  notesKey,
  notesKeyPrefix,
  redisNotesRepository,
} from '../../src/features/notes/redis-notes-repository.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import type { Kv } from '../../src/store/store.ts';
import { singleStore, type Stores } from '../../src/store/stores.ts';
import { TenantRegistry } from '../../src/tenants/registry.ts';
import { demoTenant, tenantsDir } from '../security/helpers.ts';
import { buildApp, createTestApp } from '../support/test-app.ts';
import { DEMO } from '../support/demo.ts';
import { sleep } from '../support/polling.ts';
import { signIn } from '../support/sign-in.ts';

/**
 * The worked example: a per-user notes list, page and JSON API, behind the guard, scoped by
 * tenant and user, on Redis and on the in-process development store alike.
 */

/** Besides the demo users: a second user at customer A, and another "alice" at customer B. */
const alan = { host: DEMO.a.host, username: 'alan', password: 'alan-password' };
const otherAlice = { host: DEMO.b.host, username: 'alice', password: 'other-alice-password' };

interface Backend {
  app: Express;
  stores: Stores;
  tenants: TenantRegistry;
  kv: Kv;
  appName: string;
  /** Every key of this app in the store. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

async function withUsers(): Promise<string> {
  const user = async (username: string, displayName: string, password: string) => ({
    username,
    displayName,
    passwordHash: await hashPassword(password, { logN: 10, r: 8, p: 1 }),
  });
  const [a, b] = [await demoTenant('customer-a'), await demoTenant('customer-b')];
  return tenantsDir({
    'customer-a.json': {
      ...a,
      users: [...(a.users as object[]), await user('alan', 'Alan Ames', alan.password)],
    },
    'customer-b.json': {
      ...b,
      users: [...(b.users as object[]), await user('alice', 'Another Alice', otherAlice.password)],
    },
  });
}

async function onRedis(dir: string): Promise<Backend> {
  const t = await createTestApp({ env: { TENANTS_DIR: dir } });
  return { ...t, kv: t.store.kv, appName: t.config.appName, keys: t.keys, close: () => t.close() };
}

async function onDevelopmentStore(dir: string): Promise<Backend> {
  const logger = pino({ level: 'silent' });
  const config = loadConfig({ NODE_ENV: 'test', TENANTS_DIR: dir }); // no REDIS_URL: as `npm run dev`
  const store = createMemoryStore();
  const stores = singleStore(store);
  const tenants = await TenantRegistry.open({ dir, env: {}, logger });
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of store.kv.scanIterator({ MATCH: '*' })) found.push(...batch);
    return found.sort();
  };
  const app = buildApp({ config, tenants, stores, logger });
  return {
    app,
    stores,
    tenants,
    kv: store.kv,
    appName: config.appName,
    keys,
    close: () => stores.close(),
  };
}

describe.each([
  ['Redis', onRedis],
  ['the development store', onDevelopmentStore],
])('notes on %s', (_name, open) => {
  let dir: string;
  let b: Backend;
  let app: Express;
  const cookies: Record<'alice' | 'alan' | 'bob' | 'otherAlice', string> = {
    alice: '',
    alan: '',
    bob: '',
    otherAlice: '',
  };

  beforeAll(async () => {
    dir = await withUsers();
    b = await open(dir);
    app = b.app;
    cookies.alice = await signIn(app, DEMO.a);
    cookies.alan = await signIn(app, alan);
    cookies.bob = await signIn(app, DEMO.b);
    cookies.otherAlice = await signIn(app, otherAlice);
  });
  afterAll(async () => {
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  const as = (who: keyof typeof cookies) => {
    const host = who === 'bob' || who === 'otherAlice' ? DEMO.b.host : DEMO.a.host;
    const agent = (r: request.Test) => r.set('Host', host).set('Cookie', cookies[who]);
    return {
      list: () => agent(request(app).get('/api/notes')),
      add: (body: unknown) => agent(request(app).post('/api/notes')).send(body as object),
      remove: (id: string) => agent(request(app).delete(`/api/notes/${id}`)),
      page: () => agent(request(app).get('/notes')),
      post: (form: string) => agent(request(app).post('/notes')).type('form').send(form),
      removeByForm: (id: string) => agent(request(app).post(`/notes/${id}/delete`)),
    };
  };
  const texts = async (who: keyof typeof cookies) =>
    ((await as(who).list()).body.notes as { text: string }[]).map((note) => note.text);
  const clear = async (who: keyof typeof cookies) => {
    for (const note of (await as(who).list()).body.notes as { id: string }[]) {
      await as(who).remove(note.id).expect(204);
    }
  };

  describe('the guard', () => {
    it('when signed out, then the page sends the browser to sign in and comes back to /notes', async () => {
      const res = await request(app).get('/notes').set('Host', DEMO.a.host);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fnotes');
    });

    it('when signed out, then every API route is 401 JSON and nothing is stored', async () => {
      const host = DEMO.a.host;
      const answers = [
        await request(app).get('/api/notes').set('Host', host),
        await request(app).post('/api/notes').set('Host', host).send({ text: 'hi' }),
        await request(app).delete(`/api/notes/${crypto.randomUUID()}`).set('Host', host),
      ];
      for (const res of answers) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'Not signed in' });
      }
      const form = await request(app).post('/notes').set('Host', host).type('form').send('text=hi');
      expect(form.status).toBe(303);
      expect((await b.keys()).filter((key) => key.startsWith('notes:'))).toEqual([]);
    });
  });

  describe('the JSON API', () => {
    it('when a note is added, then 201 with the trimmed note, listed newest first, and DELETE removes it once', async () => {
      const first = await as('alice').add({ text: '  first  ' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        text: 'first',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      await as('alice').add({ text: 'second' }).expect(201);
      await sleep(5);
      await as('alice').add({ text: 'third' }).expect(201);
      expect(await texts('alice')).toEqual(['third', 'second', 'first']);

      expect((await as('alice').remove(first.body.id as string)).status).toBe(204);
      const again = await as('alice').remove(first.body.id as string);
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ error: 'No such note.' });
      expect(await texts('alice')).toEqual(['third', 'second']);
      await clear('alice');
    });

    it.each([
      ['an empty text', { text: '' }, 'A note needs some text.'],
      ['only spaces', { text: ' \n\t ' }, 'A note needs some text.'],
      ['501 characters', { text: 'x'.repeat(501) }, 'A note is at most 500 characters.'],
      ['a number', { text: 42 }, 'The text must be a string.'],
      ['no text', {}, 'The text must be a string.'],
      ['an unknown field', { text: 'hi', pinned: true }, 'Unrecognized key: "pinned"'],
      ['an array', [{ text: 'hi' }], 'Send an object with the note\'s text: {"text": "…"}.'],
    ])(
      'when the body has %s, then 400 JSON saying why, and nothing is added',
      async (_c, body, why) => {
        const res = await as('alice').add(body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: why });
        expect(await texts('alice')).toEqual([]);
      },
    );

    it('when the text is 500 characters, then it is kept whole', async () => {
      const text = 'é'.repeat(500);
      await as('alice').add({ text }).expect(201);
      expect(await texts('alice')).toEqual([text]);
      await clear('alice');
    });

    it.each(['not-a-uuid', '*', '..%2F..', 'x'.repeat(300)])(
      'when the id to delete is %j, then 404',
      async (id) => {
        expect((await as('alice').remove(id)).status).toBe(404);
      },
    );

    it.each([
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ["another tenant's Origin", { Origin: `http://${DEMO.b.host}` }],
    ])('when a write comes with %s, then 403 and nothing changes', async (_case, headers) => {
      const note = (await as('alice').add({ text: 'keep me' }).expect(201)).body as { id: string };
      const add = await as('alice').add({ text: 'forged' }).set(headers);
      expect(add.status).toBe(403);
      expect(add.type).toBe('application/json');
      expect((await as('alice').remove(note.id).set(headers)).status).toBe(403);
      expect((await as('alice').post('text=forged').set(headers)).status).toBe(403);
      expect((await as('alice').removeByForm(note.id).set(headers)).status).toBe(403);
      expect(await texts('alice')).toEqual(['keep me']);
      await clear('alice');
    });

    it(`when a user keeps ${MAX_NOTES_PER_USER} notes, then the next is refused (409) and adds racing each other never pass the cap`, async () => {
      const repository = redisNotesRepository({ stores: b.stores, appName: b.appName });
      const owner = { tenant: b.tenants.resolve(DEMO.a.host)!, userId: 'alan' };
      for (let i = 0; i < MAX_NOTES_PER_USER - 3; i++) await repository.add(owner, `note ${i}`);

      const racing = await Promise.all(
        Array.from({ length: 8 }, (_, i) => as('alan').add({ text: `racing ${i}` })),
      );
      const statuses = racing.map((res) => res.status);
      expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
      const kept = (await as('alan').list()).body.notes as unknown[];
      expect(kept.length).toBeLessThanOrEqual(MAX_NOTES_PER_USER);
      expect(kept.length).toBe(MAX_NOTES_PER_USER - 3 + statuses.filter((s) => s === 201).length);

      while ((await as('alan').list()).body.notes.length < MAX_NOTES_PER_USER) {
        await as('alan').add({ text: 'filler' }).expect(201);
      }
      const full = await as('alan').add({ text: 'one too many' });
      expect(full.status).toBe(409);
      expect(full.body.error).toMatch(/100 notes, the most allowed/);
      const page = await as('alan').post('text=one+too+many');
      expect(page.status).toBe(409);
      expect(page.text).toContain('one too many'); // what was typed is not lost
      await b.kv.del(notesKey('customer-a', b.appName, 'alan'));
    });
  });

  describe('the page', () => {
    it('when a note is added and deleted through the forms, then each answers 303 to /notes and the page shows the text escaped', async () => {
      const add = await as('alice').post('text=%3Cb%3Ebold%3C%2Fb%3E+%26+more');
      expect(add.status).toBe(303);
      expect(add.headers.location).toBe('/notes');

      const page = await as('alice').page();
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; more');
      expect(page.text).not.toContain('<b>bold');
      const id = /action="\/notes\/([0-9a-f-]{36})\/delete"/.exec(page.text)?.[1];
      expect(id).toBeDefined();

      const remove = await as('alice').removeByForm(id!);
      expect(remove.status).toBe(303);
      expect(remove.headers.location).toBe('/notes');
      expect((await as('alice').page()).text).toContain('No notes yet.');
    });

    it('when the form is empty, then 400 with the page, the reason and the form again', async () => {
      const res = await as('alice').post('text=+++');
      expect(res.status).toBe(400);
      expect(res.text).toContain('A note needs some text.');
      expect(res.text).toMatch(/<form[^>]*method="post"[^>]*action="\/notes"/);
    });

    it('when the form repeats its field or adds another, then 400 and nothing is added', async () => {
      expect((await as('alice').post('text=a&text=b')).status).toBe(400);
      expect((await as('alice').post('text=a&pinned=1')).status).toBe(400);
      expect(await texts('alice')).toEqual([]);
    });

    it('when signed in, then the home page links the notes', async () => {
      const home = await request(app)
        .get('/')
        .set('Host', DEMO.a.host)
        .set('Cookie', cookies.alice);
      expect(home.text).toContain('href="/notes"');
    });
  });

  describe('isolation', () => {
    it('when alice keeps a note, then another user of her tenant and an "alice" of another tenant see nothing of it and cannot delete it', async () => {
      const note = (await as('alice').add({ text: 'alice at A only' }).expect(201)).body as {
        id: string;
      };

      for (const who of ['alan', 'otherAlice', 'bob'] as const) {
        expect(await texts(who)).toEqual([]);
        expect((await as(who).page()).text).not.toContain('alice at A only');
        expect((await as(who).remove(note.id)).status).toBe(404);
        expect((await as(who).removeByForm(note.id)).status).toBe(404);
      }
      // Her cookie means nothing at customer B.
      const elsewhere = await request(app)
        .get('/api/notes')
        .set('Host', DEMO.b.host)
        .set('Cookie', cookies.alice);
      expect(elsewhere.status).toBe(401);
      expect(await texts('alice')).toEqual(['alice at A only']);
      await clear('alice');
    });

    it('when notes are kept, then each user has one key under the tenant-scoped prefix, with a TTL, and no other tenant holds any of it', async () => {
      await as('alice').add({ text: 'note of alice at A' }).expect(201);
      await as('otherAlice').add({ text: 'note of alice at B' }).expect(201);

      const keys = (await b.keys()).filter((key) => key.startsWith('notes:'));
      const atA = notesKey('customer-a', b.appName, 'alice');
      const atB = notesKey('customer-b', b.appName, 'alice');
      expect(keys).toEqual([atA, atB]);
      expect(atA).toBe(`notes:{customer-a:${b.appName}:alice}`);
      expect(atA.startsWith(notesKeyPrefix('customer-a', b.appName))).toBe(true);
      expect(atB.startsWith(notesKeyPrefix('customer-a', b.appName))).toBe(false);
      expect(Object.values(await b.kv.hGetAll(atA)).join()).toContain('note of alice at A');
      expect(Object.values(await b.kv.hGetAll(atB)).join()).not.toContain('at A');
      for (const key of keys) {
        expect(await b.kv.ttl(key)).toBeGreaterThan(NOTES_TTL_SECONDS - 60);
        expect(await b.kv.ttl(key)).toBeLessThanOrEqual(NOTES_TTL_SECONDS);
      }
      await clear('alice');
      await clear('otherAlice');
      expect((await b.keys()).filter((key) => key.startsWith('notes:'))).toEqual([]);
    });
  });
});
