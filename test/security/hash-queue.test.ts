import { describe, expect, it } from 'vitest';
import { ClientGoneError, createHashQueue, HashQueueBusyError } from '../../src/auth/hash-queue.ts';

/**
 * The password-hashing queue, with hashes that finish when the test says so: at most
 * `concurrency` run, tenants take turns, each tenant's queue and its wait are bounded, and a hash
 * whose client has gone never starts.
 */
function harness(options: {
  concurrency?: number;
  maxQueuedPerTenant?: number;
  maxWaitMs?: number;
}) {
  const queue = createHashQueue({
    concurrency: 1,
    maxQueuedPerTenant: 100,
    maxWaitMs: 60_000,
    ...options,
  });
  const started: string[] = [];
  const finishers: (() => void)[] = [];
  const submit = (tenant: string, label: string, signal = new AbortController().signal) =>
    queue.run(tenant, signal, () => {
      started.push(label);
      return new Promise<string>((resolve) => finishers.push(() => resolve(label)));
    });
  /** Lets the oldest running hash finish, and the queue move on. */
  const finishOne = async () => {
    finishers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, started, submit, finishOne };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the hash queue', () => {
  it('when more hashes come than it runs at once, then no more than `concurrency` run', async () => {
    const h = harness({ concurrency: 3 });
    for (let i = 0; i < 10; i++) void h.submit(i % 2 ? 'a' : 'b', `${i}`);
    await tick();
    expect(h.started).toHaveLength(3);
    expect(h.queue.stats()).toEqual({ running: 3, waiting: 7 });
    await h.finishOne();
    expect(h.started).toHaveLength(4);
  });

  it('when one tenant floods it, then it holds all slots but one, and another tenant’s hash starts at once', async () => {
    const h = harness({ concurrency: 3 });
    for (let i = 0; i < 20; i++) void h.submit('a', `a${i}`);
    await tick();
    expect(h.started).toEqual(['a0', 'a1']);
    expect(h.queue.stats()).toEqual({ running: 2, waiting: 18 });
    const bob = h.submit('b', 'b0');
    await tick();
    expect(h.started).toEqual(['a0', 'a1', 'b0']);
    await h.finishOne();
    expect(h.started.at(-1)).toBe('a2');
    void bob;
  });

  it('when it runs one hash at a time, then one tenant may still take that one slot', async () => {
    const h = harness({ concurrency: 1 });
    void h.submit('a', 'a0');
    void h.submit('a', 'a1');
    await tick();
    expect(h.started).toEqual(['a0']);
    await h.finishOne();
    expect(h.started).toEqual(['a0', 'a1']);
  });

  it('when one tenant floods it, then another tenant’s hash runs next, not after the flood', async () => {
    const h = harness({ concurrency: 1 });
    const flood = Array.from({ length: 20 }, (_, i) => h.submit('a', `a${i}`));
    const bob = h.submit('b', 'b0');
    await tick();
    expect(h.started).toEqual(['a0']);
    await h.finishOne();
    expect(h.started).toEqual(['a0', 'b0']);
    await h.finishOne();
    expect(await bob).toBe('b0');
    void flood;
  });

  it('when several tenants wait, then they take turns (round robin), each in its own order', async () => {
    const h = harness({ concurrency: 1 });
    for (const label of ['a0', 'a1', 'a2', 'b0', 'b1', 'c0']) void h.submit(label[0]!, label);
    await tick();
    for (let i = 0; i < 5; i++) await h.finishOne();
    // a0 started before anyone else waited; then a, b and c take turns.
    expect(h.started).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'a2']);
  });

  it('when a tenant’s queue is full, then one more is refused at once with a Retry-After, without hashing, and other tenants still queue', async () => {
    const h = harness({ concurrency: 1, maxQueuedPerTenant: 2, maxWaitMs: 4000 });
    void h.submit('a', 'a0'); // runs
    await tick();
    void h.submit('a', 'a1');
    void h.submit('a', 'a2');
    const refused = h.submit('a', 'a3');
    await expect(refused).rejects.toBeInstanceOf(HashQueueBusyError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 4 });
    void h.submit('b', 'b0');
    expect(h.queue.stats()).toEqual({ running: 1, waiting: 3 });
    expect(h.started).toEqual(['a0']);
  });

  it('when a hash waits longer than maxWaitMs, then it is refused and never starts', async () => {
    const h = harness({ concurrency: 1, maxWaitMs: 50 });
    void h.submit('a', 'a0');
    const late = h.submit('a', 'a1');
    await expect(late).rejects.toBeInstanceOf(HashQueueBusyError);
    expect(h.queue.stats()).toEqual({ running: 1, waiting: 0 });
    await h.finishOne();
    expect(h.started).toEqual(['a0']);
  });

  it('when the client goes away before its hash starts, then it is dropped and never hashed', async () => {
    const h = harness({ concurrency: 1 });
    void h.submit('a', 'a0');
    const gone = new AbortController();
    const abandoned = h.submit('a', 'a1', gone.signal);
    const next = h.submit('a', 'a2');
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(ClientGoneError);
    expect(h.queue.stats()).toEqual({ running: 1, waiting: 1 });
    await h.finishOne();
    await h.finishOne();
    expect(await next).toBe('a2');
    expect(h.started).toEqual(['a0', 'a2']);
  });

  it('when the client has already gone, then nothing is queued', async () => {
    const h = harness({ concurrency: 1 });
    const gone = new AbortController();
    gone.abort();
    await expect(h.submit('a', 'a0', gone.signal)).rejects.toBeInstanceOf(ClientGoneError);
    expect(h.started).toEqual([]);
    expect(h.queue.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('when a hash fails, then its slot is freed for the next', async () => {
    const queue = createHashQueue({ concurrency: 1, maxQueuedPerTenant: 10, maxWaitMs: 1000 });
    const signal = new AbortController().signal;
    const failing = queue.run('a', signal, () => Promise.reject(new Error('boom')));
    const next = queue.run('a', signal, async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    expect(queue.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
