import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { commandWorks } from './launch.ts';
import { missingStackCommands } from './stack/start-stack.ts';

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Root in a container and no network: no sandbox (it needs user namespaces), no GPU, and none of
 * the background traffic (updates, sync, QUIC probes) that would only time out.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium, when it is not where CHROMIUM_PATH says, with how to install it. */
export function missingChromium(): string[] {
  return existsSync(CHROMIUM_PATH)
    ? []
    : [
        `chromium at ${CHROMIUM_PATH} (Debian/Ubuntu: apt-get install chromium; or set CHROMIUM_PATH)`,
      ];
}

/** Debian's prometheus, when it is not on the PATH, with how to install it. */
export function missingPrometheus(): string[] {
  return commandWorks('prometheus', ['--version'])
    ? []
    : ['prometheus (Debian/Ubuntu: apt-get install prometheus)'];
}

/** What the browser test needs and does not have, each with how to install it. */
export function missingForBrowserTest(): string[] {
  return [...missingStackCommands(), ...missingChromium()];
}

/**
 * A test that reports missing prerequisites: in CI a missing browser is a broken pipeline, not a
 * reason to pass quietly; elsewhere (say, `docker compose run --rm test`) the file is skipped
 * with the reason. Pair it with `describe.skipIf(missing.length > 0)` for the real tests.
 */
export function prerequisitesTest(file: string, missing: string[]): void {
  it(`has its prerequisites`, (ctx) => {
    if (missing.length === 0) return;
    const message = `${file} needs ${missing.join('; ')}.`;
    if (process.env.CI) throw new Error(`${message} .ci/run installs them with apt-get.`);
    console.warn(`${file} skipped: ${message}`);
    ctx.skip(`${message} Skipped (it runs in CI).`);
  });
}
