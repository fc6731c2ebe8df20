import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { BROWSERS, sessionsOf, signInWith, signedIn } from '../../harness/user-sessions.ts';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';

/** The "Your sessions" page: what a person sees and the forms that end sessions. */
let t: TestApp;
const alice = DEMO.a;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const page = (cookie?: string) => {
  const req = request(t.app).get('/account/sessions').set('Host', alice.host);
  return cookie ? req.set('Cookie', cookie) : req;
};
const post = (path: string, cookie: string) =>
  request(t.app).post(path).set('Host', alice.host).set('Cookie', cookie);
/** The handles in the page's "End" forms. */
const endForms = (html: string) =>
  [...html.matchAll(/action="\/account\/sessions\/([A-Za-z0-9_-]{22})\/end"/g)].map((m) => m[1]);

describe('the "Your sessions" page', () => {
  it('when signed out, then it sends the visitor to sign in and back', async () => {
    const res = await page();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%2Fsessions');
  });

  it('when signed in, then every page links to it from the header', async () => {
    const { cookie } = await signInWith(t.app, alice, BROWSERS.firefox);
    const home = await request(t.app).get('/').set('Host', alice.host).set('Cookie', cookie);
    expect(home.text).toContain('href="/account/sessions"');
    expect(home.text).toContain('Your sessions');
  });

  it('when alice has two browsers, then the page lists both with browser, address and times, marks this one, and offers to end the other', async () => {
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const res = await page(firefox.cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<h1>Your sessions</h1>');
    const listed = await sessionsOf(t.app, alice.host, firefox.cookie);
    expect(res.text.match(/data-testid="session"/g)?.length).toBe(listed.length);
    expect(res.text).toContain('Firefox on Linux');
    expect(res.text).toContain('Safari on macOS');
    expect(res.text).toContain('This session');
    expect(res.text).toMatch(/<td data-label="Address">(::ffff:)?127\.0\.0\.1<\/td>/);
    expect(res.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    // An "End" form for every session but this one; never a session id.
    const others = listed.filter((s) => !s.current).map((s) => s.handle);
    expect(endForms(res.text).sort()).toEqual(others.sort());
    expect(res.text).not.toContain(firefox.sid);
    expect(res.text).not.toContain(safari.sid);
    expect(res.text).toContain('action="/account/sessions/end-others"');
    expect(res.text).toMatch(
      /action="\/logout">\s*<input type="hidden" name="everywhere" value="1"/,
    );
  });

  it('when alice presses "End" for the other browser, then she is sent back to the page and that browser is signed out', async () => {
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const safariHandle = (await sessionsOf(t.app, alice.host, safari.cookie)).find(
      (s) => s.current,
    )!.handle;
    const res = await post(`/account/sessions/${safariHandle}/end`, firefox.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account/sessions');
    expect(cookiesOf(res)).toEqual([]); // hers stays as it is: nothing of her session changed
    expect(await signedIn(t.app, alice.host, safari.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, firefox.cookie)).toBe(true);
    expect(endForms((await page(firefox.cookie)).text)).not.toContain(safariHandle);
  });

  it('when the handle is not one of hers, then a 404 page', async () => {
    const { cookie } = await signInWith(t.app, alice, BROWSERS.firefox);
    const res = await post(`/account/sessions/${'x'.repeat(22)}/end`, cookie);
    expect(res.status).toBe(404);
    expect(res.text).toContain('No such session.');
  });

  it('when alice presses "Sign out everywhere else", then only this browser stays signed in', async () => {
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const chrome = await signInWith(t.app, alice, BROWSERS.chrome);
    const res = await post('/account/sessions/end-others', chrome.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account/sessions');
    expect(await signedIn(t.app, alice.host, firefox.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, safari.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, chrome.cookie)).toBe(true);
    const after = await page(chrome.cookie);
    expect(after.text.match(/data-testid="session"/g)).toHaveLength(1);
    expect(after.text).not.toContain('Sign out everywhere else'); // nothing else to end
  });

  it('when the form is posted from another site, then 403 and nothing ends', async () => {
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const res = await post('/account/sessions/end-others', firefox.cookie).set(
      'Origin',
      'http://customer-b.localhost',
    );
    expect(res.status).toBe(403);
    expect(await signedIn(t.app, alice.host, safari.cookie)).toBe(true);
  });
});
