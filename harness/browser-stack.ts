import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './prerequisites.ts';
import { ROOT } from './root.ts';
import { startStack, type Stack, type StackOptions } from './stack/start-stack.ts';

/** Chromium where CHROMIUM_PATH says, with CHROMIUM_ARGS and any `extraArgs` (and `env`). */
export function launchChromium(
  extraArgs: string[] = [],
  env?: Record<string, string>,
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    env,
  });
}

/** Presses the button named `name` (exactly) and waits for the page it leads to. */
export async function press(page: Page, name: string): Promise<void> {
  const navigated = page.waitForEvent('framenavigated');
  await page.getByRole('button', { name, exact: true }).click();
  await navigated;
  await page.waitForLoadState();
}

/** Fills the sign-in form of the page open with `who`'s username and password, and sends it. */
export async function submitSignIn(page: Page, who: { username: string; password: string }) {
  await page.fill('input[name=username]', who.username);
  await page.fill('input[name=password]', who.password);
  await press(page, 'Sign in');
}

/**
 * What a browser test runs against: the native stack (Caddy, the app's replicas, Redis; see
 * startStack) and a Chromium. Stop both when done (`browser.close()`, `stack.stop()`); if Chromium
 * does not start, the stack is stopped here.
 */
export async function startBrowserStack(
  options: StackOptions,
): Promise<{ stack: Stack; browser: Browser }> {
  const stack = await startStack(options);
  try {
    return { stack, browser: await launchChromium() };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

// Every run leaves its screenshots in test-results/; UPDATE_SCREENSHOTS=1 also refreshes docs/.
const SHOT_DIRS = [
  join(ROOT, 'test-results', 'e2e'),
  ...(process.env.UPDATE_SCREENSHOTS ? [join(ROOT, 'docs')] : []),
];

/** Saves what `page` shows as `name` (say, `landing-page.png`) in each screenshot folder. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  for (const dir of SHOT_DIRS) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, name) });
  }
}
