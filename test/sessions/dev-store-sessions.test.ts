import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../harness/test-app.ts';
import {
  BROWSERS,
  sessionsOf,
  signInWith,
  signOutEverywhere,
  signedIn,
} from '../../harness/user-sessions.ts';
import { DEMO } from '../../harness/demo.ts';

describe('"your sessions" without REDIS_URL (the development store)', () => {
  it('when alice signs in from several browsers, then she can list them, end one, meet the limit and sign out everywhere', async () => {
    const t = await createTestApp({
      env: { REDIS_URL: '', APP_NAME: 'app', SESSION_MAX_PER_USER: '3' },
    });
    const { app, store } = t;
    expect(store.kind).toBe('memory');

    const firefox = await signInWith(app, DEMO.a, BROWSERS.firefox);
    const safari = await signInWith(app, DEMO.a, BROWSERS.safari);
    const chrome = await signInWith(app, DEMO.a, BROWSERS.chrome);
    const listed = await sessionsOf(app, DEMO.a.host, firefox.cookie);
    expect(listed.map((s) => [s.device, s.current])).toEqual([
      ['Chrome on Windows', false],
      ['Safari on macOS', false],
      ['Firefox on Linux', true],
    ]);
    expect(await store.kv.ttl('user-sessions:{customer-a:app:alice}')).toBeGreaterThan(86_400);

    const safariHandle = listed[1]!.handle;
    await request(app)
      .delete(`/api/sessions/${safariHandle}`)
      .set('Host', DEMO.a.host)
      .set('Cookie', firefox.cookie)
      .expect(204);
    expect(await signedIn(app, DEMO.a.host, safari.cookie)).toBe(false);

    // The limit of 3: a fourth sign-in ends the earliest (firefox).
    const edge = await signInWith(app, DEMO.a, BROWSERS.chrome);
    await signInWith(app, DEMO.a, BROWSERS.safari);
    expect(await signedIn(app, DEMO.a.host, firefox.cookie)).toBe(false);

    await signOutEverywhere(app, DEMO.a.host, edge.cookie).expect(303);
    for (const s of [chrome, edge]) expect(await signedIn(app, DEMO.a.host, s.cookie)).toBe(false);
    expect(await store.kv.zRangeWithScores('user-sessions:{customer-a:app:alice}', 0, -1)).toEqual(
      [],
    );
    await t.close();
  });
});
