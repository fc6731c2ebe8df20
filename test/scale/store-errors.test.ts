import { ErrorReply } from 'redis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStoreError } from '../../src/store/guard.ts';
import { hashTag } from '../../src/store/slots.ts';
import { StoreUnavailableError } from '../../src/store/store-unavailable.ts';
import { singleStore } from '../../src/store/stores.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import { Router } from 'express';

describe('store errors', () => {
  it.each([
    'CLUSTERDOWN The cluster is down',
    'READONLY replica',
    'MASTERDOWN link down',
    'TRYAGAIN slot migrating',
    'LOADING dataset',
  ])('when Redis answers %j, then it is an outage (503, retry)', (message) => {
    expect(asStoreError(new ErrorReply(message))).toBeInstanceOf(StoreUnavailableError);
  });

  it('when Redis answers CROSSSLOT, then it stays an error reply (a bug, a 500), never a 503', () => {
    const reply = new ErrorReply("CROSSSLOT Keys in request don't hash to the same slot");
    expect(asStoreError(reply)).toBe(reply);
  });

  it.each([
    ['sessions:customer-a:app:abc', 'sessions:customer-a:app:abc'],
    ['user-sessions:{customer-a:app:alice}', 'customer-a:app:alice'],
    ['a{}b{c}', 'a{}b{c}'],
    ['a{b}{c}', 'b'],
    ['a{b', 'a{b'],
  ])('when the key is %j, then the cluster hashes %j', (key, tag) => {
    expect(hashTag(key)).toBe(tag);
  });
});

describe('a multi-key command over two hash slots', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a store is asked for keys in two slots at once, then it refuses before Redis sees it, on every kind', async () => {
    const kv = t.store.kv;
    await expect(kv.del(['sessions:a:app:1', 'sessions:a:app:2'])).rejects.toThrow(/^CROSSSLOT/);
    await expect(kv.mGet(['x', 'y'])).rejects.not.toBeInstanceOf(StoreUnavailableError);
    // One hash tag is one slot: allowed.
    expect(await kv.mGet(['{u}:a', '{u}:b'])).toEqual([null, null]);
    expect(await kv.del(['{u}:a', '{u}:b'])).toBe(0);
  });

  it('when a route makes such a command, then the answer is a 500, not a 503, so tests catch it', async () => {
    const bug = Router().get('/cross-slot', async (req, res) => {
      await t.stores.forTenant(req.tenant).kv.mGet(['one', 'two']);
      res.send('unreachable');
    });
    const app = buildApp({ ...t, stores: singleStore(t.store) }, { pages: [bug] });
    const res = await request(app).get('/cross-slot').set('Host', 'customer-a.localhost');
    expect(res.status).toBe(500);
  });
});
