export interface HashQueueOptions {
  /** Hashes at once. scrypt shares libuv's pool with file reads and DNS: keep it below its size. */
  concurrency: number;
  /** Waiting hashes per tenant; one more is refused at once. */
  maxQueuedPerTenant: number;
  /** Longest wait for a hash to start; then it is refused. */
  maxWaitMs: number;
}

/** About 3 s of hashing per tenant on two cores, and a wait a person at a login form bears. */
export const HASH_QUEUE_DEFAULTS = { maxQueuedPerTenant: 32, maxWaitMs: 10_000 };

/** The queue is full, or the wait ran out: answered 503 with Retry-After, nothing was hashed. */
export class HashQueueBusyError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('Too many sign-ins at once. Try again in a few seconds.');
    this.name = 'HashQueueBusyError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The client hung up before its hash started: nothing was hashed, and nobody waits for an answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client went away before its password was checked');
    this.name = 'ClientGoneError';
  }
}

interface Entry {
  tenantId: string;
  start(): void;
  drop(err: Error): void;
}

/**
 * A bounded queue, fair across tenants: a password check is about a third of a second of CPU on a
 * shared pool, so one tenant's login flood would delay every tenant's sign-ins. One tenant gets at
 * most all but one slot, so another's sign-in always finds one free; a free slot goes to the
 * tenant with the fewest running, then round robin. A started hash runs on (scrypt cannot stop).
 */
export function createHashQueue(options: HashQueueOptions) {
  const { concurrency, maxQueuedPerTenant, maxWaitMs } = options;
  const perTenant = Math.max(1, concurrency - 1);
  const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
  const waiting = new Map<string, Entry[]>();
  const runningByTenant = new Map<string, number>();
  const runningOf = (tenantId: string) => runningByTenant.get(tenantId) ?? 0;
  /** Active tenants only: one gone idle is forgotten, and back counts as least recently served. */
  const lastTurn = new Map<string, number>();
  const forgetIfIdle = (tenantId: string) => {
    if (runningOf(tenantId) === 0 && !waiting.has(tenantId)) lastTurn.delete(tenantId);
  };
  let turns = 0;
  let running = 0;

  const before = (a: string, b: string) =>
    runningOf(a) !== runningOf(b)
      ? runningOf(a) < runningOf(b)
      : (lastTurn.get(a) ?? -1) < (lastTurn.get(b) ?? -1);

  function pump(): void {
    while (running < concurrency) {
      let pick: string | undefined;
      for (const tenantId of waiting.keys()) {
        if (runningOf(tenantId) >= perTenant) continue;
        if (pick === undefined || before(tenantId, pick)) pick = tenantId;
      }
      if (pick === undefined) return;
      const queue = waiting.get(pick)!;
      const entry = queue.shift()!;
      if (queue.length === 0) waiting.delete(pick);
      lastTurn.set(pick, turns++);
      entry.start();
    }
  }

  function remove(entry: Entry): void {
    const queue = waiting.get(entry.tenantId);
    const at = queue?.indexOf(entry) ?? -1;
    if (at === -1) return;
    queue!.splice(at, 1);
    if (queue!.length === 0) waiting.delete(entry.tenantId);
    forgetIfIdle(entry.tenantId);
  }

  return {
    /** Runs `hash` in the tenant's turn; `clientGone` aborts when the client disconnects. */
    run<T>(tenantId: string, clientGone: AbortSignal, hash: () => Promise<T>): Promise<T> {
      if (clientGone.aborted) return Promise.reject(new ClientGoneError());
      const queue = waiting.get(tenantId) ?? [];
      if (queue.length >= maxQueuedPerTenant) {
        return Promise.reject(new HashQueueBusyError(retryAfterSeconds));
      }
      return new Promise<T>((resolve, reject) => {
        const entry: Entry = {
          tenantId,
          start() {
            stopWaiting();
            running++;
            runningByTenant.set(tenantId, runningOf(tenantId) + 1);
            Promise.resolve()
              .then(hash)
              .then(resolve, reject)
              .finally(() => {
                running--;
                const left = runningOf(tenantId) - 1;
                if (left > 0) runningByTenant.set(tenantId, left);
                else runningByTenant.delete(tenantId);
                forgetIfIdle(tenantId);
                pump();
              });
          },
          drop(err) {
            stopWaiting();
            remove(entry);
            reject(err);
          },
        };
        const onGone = () => entry.drop(new ClientGoneError());
        const tooLong = () => entry.drop(new HashQueueBusyError(retryAfterSeconds));
        const timer = setTimeout(tooLong, maxWaitMs);
        function stopWaiting() {
          clearTimeout(timer);
          clientGone.removeEventListener('abort', onGone);
        }
        clientGone.addEventListener('abort', onGone, { once: true });
        queue.push(entry);
        waiting.set(tenantId, queue);
        pump();
      });
    },
    /** Hashes running and waiting now (for tests and diagnostics). */
    stats: () => ({
      running,
      waiting: [...waiting.values()].reduce((sum, queue) => sum + queue.length, 0),
    }),
  };
}

export type HashQueue = ReturnType<typeof createHashQueue>;
