import { sql, type Kysely } from 'kysely';

export type DatabaseState = 'up' | 'down';

/** Bound on the readiness answer, as the stores' (src/web/probes.ts): the contract says 2 s. */
export const DATABASE_STATE_TIMEOUT_MS = 1500;

/** Whether the database answers a trivial query within `timeoutMs`; never throws, never waits longer. */
export async function databaseState<DB>(
  db: Kysely<DB>,
  timeoutMs = DATABASE_STATE_TIMEOUT_MS,
): Promise<DatabaseState> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DatabaseState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  const asked = sql`select 1`.execute(db).then(
    () => 'up' as const,
    () => 'down' as const,
  );
  return Promise.race([asked, late]).finally(() => clearTimeout(timer));
}
