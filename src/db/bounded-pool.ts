import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DatabaseUnavailableError, isOutage } from './database-unavailable.ts';

/** Bound on connecting and on each statement, so a request that needs the database is answered within 2 s. */
export const DATABASE_TIMEOUT_MS = 1000;

export interface PoolOptions {
  url: string;
  /** Bound on connecting, and (when `bounded`) on each statement; default DATABASE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** false for migrations: a statement may take long, and the migration lock may be waited for. */
  bounded?: boolean;
  max?: number;
  /** The database did not answer (a connection, a query, or an idle connection failed). */
  onOutage?: (err: unknown) => void;
  /** A query was answered. */
  onAnswer?: () => void;
}

/**
 * Every wait bounded: connecting, each statement on the server, each reply on the client (a server
 * that stopped answering). A connection that had an outage is never used again, so Kysely's
 * ROLLBACK on it fails at once instead of waiting once more.
 */
export function boundedPool(options: PoolOptions): PostgresPool {
  const { url, timeoutMs = DATABASE_TIMEOUT_MS, bounded = true, max = 10 } = options;
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    max,
    keepAlive: true,
    ...(bounded && {
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs,
      // A client that vanished mid-transaction must not hold its row locks for long.
      idle_in_transaction_session_timeout: 10 * timeoutMs,
    }),
  });
  // Without a listener, an idle connection's error (a server shutting down) ends the process.
  // pg drops that connection; a new one is made on demand.
  pool.on('error', (err) => options.onOutage?.(err));

  return {
    options: pool.options,
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect().catch((err: unknown) => {
        options.onOutage?.(err);
        throw new DatabaseUnavailableError(err);
      });
      let lost: unknown;
      const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
        if (lost !== undefined) throw new DatabaseUnavailableError(lost);
        try {
          const result = await client.query(sql, parameters as unknown[]);
          options.onAnswer?.();
          return result;
        } catch (err) {
          if (!isOutage(err)) throw err;
          lost = err;
          options.onOutage?.(err);
          throw new DatabaseUnavailableError(err);
        }
      };
      return {
        // Only the (sql, parameters) form: no cursor is configured, so Kysely never streams.
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy === true || lost !== undefined),
      };
    },
    end: () => pool.end(),
  };
}
