import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, press, submitSignIn } from '../../harness/browser-stack.ts';
import { DEMO } from '../../harness/demo.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { missingChromium, prerequisitesTest } from '../../harness/prerequisites.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingChromium();

prerequisitesTest('test/e2e/invite-signup.test.ts', missing);

/** Issue 23's "done when": in Chromium, alice invites someone who signs up and finds no notes. */
describe.skipIf(missing.length > 0)('inviting someone, in Chromium', () => {
  let t: TestApp;
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    let port: number;
    ({ server, port } = await listen(t.app));
    origin = `http://${DEMO.a.host}:${port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await t?.close();
  });

  it('when alice invites Nina from the users page, then Nina opens the link, sets a password, is signed in and finds an empty notes list', async () => {
    const alice = await (await browser.newContext()).newPage();
    await alice.goto(`${origin}/login`);
    await submitSignIn(alice, DEMO.a);
    // alice keeps a note: the newcomer must see nothing of it.
    await alice.goto(`${origin}/notes`);
    await alice.fill('textarea[name=text]', 'alice’s own note');
    await press(alice, 'Add note');

    await alice.getByRole('link', { name: 'Users', exact: true }).click();
    await alice.waitForURL(`${origin}/admin/users`);
    await alice.fill('input[name=username]', 'nina');
    await alice.fill('input[name=displayName]', 'Nina Novak');
    await press(alice, 'Create invitation');
    const link = await alice.getByTestId('invitation-link').getByRole('link').getAttribute('href');
    expect(link).toMatch(new RegExp(`^${origin}/invite/[A-Za-z0-9_-]{43}$`));
    expect(await alice.getByTestId('invitation').textContent()).toContain('nina');

    const nina = await (await browser.newContext()).newPage();
    await nina.goto(link!);
    expect(await nina.locator('h1').textContent()).toBe('Join Customer A');
    expect(await nina.inputValue('input[name=displayName]')).toBe('Nina Novak');
    await nina.fill('input[name=password]', 'nina-password');
    await press(nina, 'Create my account');
    expect(new URL(nina.url()).pathname).toBe('/');
    expect(await nina.getByTestId('signed-in-as').textContent()).toContain('Nina Novak');
    await nina.getByRole('link', { name: 'Notes', exact: true }).click();
    await nina.waitForURL(`${origin}/notes`);
    expect(await nina.locator('main').textContent()).toContain('No notes yet.');
    expect(await nina.getByTestId('note').count()).toBe(0);
    // A member: no "Users" in her navigation.
    expect(await nina.getByRole('link', { name: 'Users', exact: true }).count()).toBe(0);

    // The link was single use; the invitation has left alice's list and Nina has joined it.
    await nina.goto(link!);
    expect(await nina.locator('main').textContent()).toContain('unknown, used or expired');
    await alice.reload();
    expect(await alice.getByTestId('invitation').count()).toBe(0);
    expect(await alice.getByTestId('user').filter({ hasText: 'Nina Novak' }).count()).toBe(1);
  }, 120_000);
});
