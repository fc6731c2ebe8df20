import type { Express } from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NOTES_PER_USER } from '../../src/features/notes/notes-repository.ts';
import { pgNotesRepository } from '../../src/features/notes/pg-notes-repository.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { withSuperuser } from '../../harness/postgres-admin.ts';
import { suitePostgres } from '../../harness/postgres-databases.ts';
import { DEMO } from '../../harness/demo.ts';
import { sleep } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import { addUser } from '../../harness/users.ts';

/**
 * The worked example: a per-user notes list, page and JSON API, behind the guard, kept in
 * PostgreSQL by tenant and user id, with sessions on Redis and on the in-process development
 * store alike.
 */

/** Besides the demo users: a second user at customer A, and another "alice" at customer B. */
const alan = { host: DEMO.a.host, username: 'alan', password: 'alan-password' };
const otherAlice = { host: DEMO.b.host, username: 'alice', password: 'other-alice-password' };

describe.each([
  ['Redis', {}],
  ['the development store', { REDIS_URL: '' }],
])('notes, sessions on %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  let app: Express;
  let alanId: string;
  const cookies: Record<'alice' | 'alan' | 'bob' | 'otherAlice', string> = {
    alice: '',
    alan: '',
    bob: '',
    otherAlice: '',
  };

  beforeAll(async () => {
    t = await createTestApp({ env });
    app = t.app;
    alanId = (await addUser(t.database, 'customer-a', { ...alan, displayName: 'Alan Ames' })).id;
    await addUser(t.database, 'customer-b', { ...otherAlice, displayName: 'Another Alice' });
    cookies.alice = await signIn(app, DEMO.a);
    cookies.alan = await signIn(app, alan);
    cookies.bob = await signIn(app, DEMO.b);
    cookies.otherAlice = await signIn(app, otherAlice);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every note row of the database, whoever owns it (as the superuser, behind the app's back). */
  const allNotes = () =>
    withSuperuser(suitePostgres()!, t.db.name, (db) =>
      sql<{ tenant_id: string; text: string }>`select tenant_id, text from notes`.execute(db),
    ).then((r) => r.rows);

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
      expect(await allNotes()).toEqual([]);
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
      const repository = pgNotesRepository(t.database.db);
      const owner = { tenant: t.tenants.resolve(DEMO.a.host)!, userId: alanId };
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
      await clear('alan');
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

    it("when notes are kept, then each row carries its tenant, and the server's role sees only the tenant it is asked for", async () => {
      await as('alice').add({ text: 'note of alice at A' }).expect(201);
      await as('otherAlice').add({ text: 'note of alice at B' }).expect(201);
      expect((await allNotes()).sort((x, y) => x.text.localeCompare(y.text))).toEqual([
        { tenant_id: 'customer-a', text: 'note of alice at A' },
        { tenant_id: 'customer-b', text: 'note of alice at B' },
      ]);
      // A query that forgets its WHERE still sees one tenant's rows only (row-level security).
      const seenAtB = await withTenant(t.database.db, 'customer-b', (trx) =>
        trx.selectFrom('notes').select('text').execute(),
      );
      expect(seenAtB).toEqual([{ text: 'note of alice at B' }]);
      await clear('alice');
      await clear('otherAlice');
      expect(await allNotes()).toEqual([]);
    });
  });
});
