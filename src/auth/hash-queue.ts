export interface HashQueueOptions {
  /**
   * Hashes running at once: the machine's cores by default (src/config.ts). scrypt runs on libuv's
   * thread pool (UV_THREADPOOL_SIZE, default 4), which also serves file reads (static assets) and
   * DNS: keep this below the pool's size.
   */
  concurrency: number;
  /** Waiting hashes per tenant; one more is refused at once. */
  maxQueuedPerTenant: number;
  /** Longest wait for a hash to start; then it is refused. */
  maxWaitMs: number;
}

/**
 * About three seconds of hashing per tenant queue on a two-core machine, and a wait a person at a
 * login form still puts up with.
 */
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
 * Password hashing through a bounded queue that is fair across tenants. A password check is
 * about a third of a second of CPU on a shared thread pool, so unqueued, one tenant's login flood
 * delays every tenant's sign-ins and even static files. Here at most `concurrency` hashes run,
 * and one tenant at most all but one of them (at least one), so another tenant's sign-in always
 * finds a slot free without waiting for a hash of the flood to end. Each tenant waits in its own
 * FIFO, and a free slot goes to the waiting tenant with the fewest hashes running, and among
 * equals to the one whose last turn is longest ago (round robin).
 * A tenant's queue is bounded, and so is the wait: past either, HashQueueBusyError, without
 * hashing. A hash whose client disconnects before it starts is dropped (ClientGoneError); one
 * that has started runs to its end (scrypt cannot be stopped).
 */
export function createHashQueue(options: HashQueueOptions) {
  const { concurrency, maxQueuedPerTenant, maxWaitMs } = options;
  const perTenant = Math.max(1, concurrency - 1);
  const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
  /** Each tenant's waiting hashes, oldest first. */
  const waiting = new Map<string, Entry[]>();
  const runningByTenant = new Map<string, number>();
  const runningOf = (tenantId: string) => runningByTenant.get(tenantId) ?? 0;
  /**
   * When each tenant with hashes waiting or running last had a turn (a counter). A tenant gone
   * idle is forgotten, so this holds the active tenants only; back, it counts as least recently
   * served, which is what it is.
   */
  const lastTurn = new Map<string, number>();
  const forgetIfIdle = (tenantId: string) => {
    if (runningOf(tenantId) === 0 && !waiting.has(tenantId)) lastTurn.delete(tenantId);
  };
  let turns = 0;
  let running = 0;

  /** Whose turn it is: the fewest hashes running, then the longest since its last turn. */
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
