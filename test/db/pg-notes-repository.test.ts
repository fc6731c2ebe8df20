import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import {
  MAX_NOTES_PER_USER,
  NotesFullError,
  type NoteOwner,
} from '../../src/features/notes/notes-repository.ts';
import { pgNotesRepository } from '../../src/features/notes/pg-notes-repository.ts';
import { openTestDatabase, type OpenTestDatabase } from '../../harness/app-database.ts';
import { eventually } from '../../harness/polling.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { tenantOf } from './tenant-rows.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/pg-notes-repository.test.ts', missing);

describe.skipIf(missing.length > 0)('the notes repository on PostgreSQL', () => {
  let database: OpenTestDatabase;
  /** alice and amy at customer-a, bob at customer-b, as seeded. */
  const owners: Record<'alice' | 'amy' | 'bob', NoteOwner> = {} as never;

  beforeAll(async () => {
    database = await openTestDatabase();
    const users = usersRepository(database.db);
    for (const [name, tenant] of [
      ['alice', 'customer-a'],
      ['amy', 'customer-a'],
      ['bob', 'customer-b'],
    ] as const) {
      owners[name] = {
        tenant: tenantOf(tenant),
        userId: (await users.findByUsername(tenant, name))!.id,
      };
    }
  });
  afterAll(() => database?.close());
  const notes = (max?: number) => pgNotesRepository(database.db, max);

  it('when notes are added, then the owner lists them newest first with UUID ids', async () => {
    const first = await notes().add(owners.alice, 'first');
    const second = await notes().add(owners.alice, 'second');
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await notes().list(owners.alice)).map((n) => n.text)).toEqual(['second', 'first']);
    expect(Date.parse(second.createdAt)).toBeGreaterThanOrEqual(Date.parse(first.createdAt));
  });

  it("when another user or another tenant's user asks, then they see none of the notes and cannot delete them", async () => {
    const secret = await notes().add(owners.alice, 'only for alice');
    expect(await notes().list(owners.amy)).toEqual([]);
    expect(await notes().list(owners.bob)).toEqual([]);
    // Alice's own id named at another tenant reaches nothing either.
    expect(await notes().list({ ...owners.alice, tenant: tenantOf('customer-b') })).toEqual([]);
    expect(await notes().remove(owners.amy, secret.id)).toBe(false);
    expect(await notes().remove(owners.bob, secret.id)).toBe(false);
    expect(
      await notes().remove({ ...owners.alice, tenant: tenantOf('customer-b') }, secret.id),
    ).toBe(false);
    expect((await notes().list(owners.alice)).map((n) => n.id)).toContain(secret.id);
    expect(await notes().remove(owners.alice, secret.id)).toBe(true);
    expect(await notes().remove(owners.alice, secret.id)).toBe(false);
  });

  it("when a note is added for another tenant's user, then the database refuses it", async () => {
    await expect(
      notes().add({ ...owners.bob, tenant: tenantOf('customer-a') }, 'planted'),
    ).rejects.toThrow(/foreign key/);
    expect(await notes().list(owners.bob)).toEqual([]);
  });

  it('when an id is no note id, or the owner carries no user id, then nothing is queried', async () => {
    expect(await notes().remove(owners.alice, "1' or '1'='1")).toBe(false);
    await expect(notes().list({ ...owners.alice, userId: 'alice' })).rejects.toThrow(TypeError);
  });

  it(`when a user keeps the most notes allowed (${MAX_NOTES_PER_USER} by default), then adds racing each other never pass it`, async () => {
    const max = 5;
    await Promise.all(Array.from({ length: 3 }, (_, i) => notes(max).add(owners.amy, `note ${i}`)));
    // Inserts wait behind this lock (reads do not) until all six adds are under way: without the
    // lock on the owner's row, each would count 3 and insert.
    const gate = await database.owner().startTransaction().execute();
    await sql`lock table notes in exclusive mode`.execute(gate);
    const racing = Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => notes(max).add(owners.amy, `racing ${i}`)),
    );
    await eventually(async () => {
      const { rows } = await sql<{
        n: string;
      }>`select count(distinct pid) as n from pg_locks where not granted`.execute(database.owner());
      expect(Number(rows[0]!.n)).toBe(6);
    });
    await gate.commit().execute();
    const results = await racing;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(NotesFullError);
    }
    expect(await notes(max).list(owners.amy)).toHaveLength(max);
  });
});
