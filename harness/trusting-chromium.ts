import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser-stack.ts';

export function missingCertutil(): string[] {
  // certutil's help exits 1: only whether it ran counts.
  return spawnSync('certutil', ['-H'], { stdio: 'ignore' }).error === undefined
    ? []
    : ['certutil (Debian/Ubuntu: apt-get install libnss3-tools)'];
}

/**
 * A Chromium that trusts `roots` (PEM texts) as a person's browser does once they added a root:
 * on Linux, Chromium reads trust anchors from the NSS database in $HOME/.pki/nssdb, so it runs with
 * a HOME of its own whose database holds them (certutil). `args` go to Chromium as they are
 * (`--host-resolver-rules=…`). Closing the browser removes that HOME.
 */
export async function launchTrustingChromium(roots: string[], args: string[] = []) {
  const home = mkdtempSync(join(tmpdir(), 'tenantry-chromium-home-'));
  const db = `sql:${join(home, '.pki', 'nssdb')}`;
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '-d', db, '--empty-password']);
  roots.forEach((pem, i) => {
    const file = join(home, `root-${i}.pem`);
    writeFileSync(file, pem);
    // "C,,": a CA trusted to issue server certificates, nothing else.
    execFileSync('certutil', ['-A', '-d', db, '-n', `test root ${i}`, '-t', 'C,,', '-i', file]);
  });
  let browser: Browser;
  try {
    browser = await launchChromium(args, {
      ...(process.env as Record<string, string>),
      HOME: home,
    });
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}
