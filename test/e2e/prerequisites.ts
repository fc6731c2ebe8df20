import { existsSync } from 'node:fs';
import { missingStackCommands } from '../../scripts/stack/start-stack.ts';

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

/** What the browser test needs and does not have, each with how to install it. */
export function missingForBrowserTest(): string[] {
  const missing = missingStackCommands();
  if (!existsSync(CHROMIUM_PATH)) {
    missing.push(
      `chromium at ${CHROMIUM_PATH} (Debian/Ubuntu: apt-get install chromium; or set CHROMIUM_PATH)`,
    );
  }
  return missing;
}
