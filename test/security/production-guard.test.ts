import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_SESSION_SECRET, loadConfig } from '../../src/config.ts';
import { ROOT } from '../../harness/root.ts';

/**
 * With NODE_ENV=production the app refuses to start on settings that are only fit for a laptop;
 * each refusal names the setting and says how to fix it.
 */
const STRONG = 'k7Qy0cV3nq9b2ZJt8xW1mR4sL6pD5fGh'; // 32 bytes
const REDIS = 'redis://redis:6379';
const DATABASE = 'postgres://tenantry_app:secret@db:5432/tenantry';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ NODE_ENV: 'production', DATABASE_URL: DATABASE, ...env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('production guard rails', () => {
  it.each([
    [
      'missing',
      {},
      /^SESSION_SECRET is required when NODE_ENV=production; generate one with: openssl rand -base64 48$/,
    ],
    ['blank', { SESSION_SECRET: '  ' }, /^SESSION_SECRET is required/],
    [
      'shorter than 32 bytes',
      { SESSION_SECRET: STRONG.slice(1) },
      /^SESSION_SECRET has a secret shorter than 32 bytes; generate one/,
    ],
    [
      'short in second place (rotation)',
      { SESSION_SECRET: `${STRONG},short` },
      /^SESSION_SECRET has a secret shorter than 32 bytes/,
    ],
    [
      'the public development value',
      { SESSION_SECRET: DEV_SESSION_SECRET },
      /^SESSION_SECRET is the public development value; generate one/,
    ],
    [
      'the development value kept for rotation',
      { SESSION_SECRET: `${STRONG},${DEV_SESSION_SECRET}` },
      /^SESSION_SECRET is the public development value/,
    ],
  ])(
    'when SESSION_SECRET is %s, then start-up is refused naming it and the fix',
    (_case, env, message) => {
      expect(problems({ REDIS_URL: REDIS, ...env })).toEqual([expect.stringMatching(message)]);
    },
  );

  it('when REDIS_URL is unset, then start-up is refused naming it and the fix', () => {
    expect(problems({ SESSION_SECRET: STRONG })).toEqual([
      expect.stringMatching(
        /^REDIS_URL is required when NODE_ENV=production .*set it to redis:\/\//,
      ),
    ]);
  });

  it('when DATABASE_URL is unset, then start-up is refused naming it: the embedded database is for development', () => {
    expect(problems({ REDIS_URL: REDIS, SESSION_SECRET: STRONG, DATABASE_URL: '' })).toEqual([
      expect.stringMatching(
        /^DATABASE_URL is required when NODE_ENV=production \(the embedded PGlite/,
      ),
    ]);
  });

  it('when all three are wrong, then all are named at once', () => {
    expect(problems({ DATABASE_URL: '' }).map((p) => p.split(' ')[0])).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'SESSION_SECRET',
    ]);
  });

  it('when production is configured properly, then it starts, and 32 bytes means bytes', () => {
    expect(problems({ REDIS_URL: REDIS, SESSION_SECRET: STRONG })).toEqual([]);
    // 11 three-byte characters are 33 bytes, though only 11 characters.
    expect(problems({ REDIS_URL: REDIS, SESSION_SECRET: '秘'.repeat(11) })).toEqual([]);
  });

  it('when outside production, then the development defaults apply and say so', () => {
    const config = loadConfig({});
    expect(config.usingDevSecret).toBe(true);
    expect(config.sessionSecrets).toEqual([DEV_SESSION_SECRET]);
  });

  it('when the real server starts in production without SESSION_SECRET, REDIS_URL or DATABASE_URL, then it exits non-zero naming each', async () => {
    // An empty working directory: no .env there can fill the gaps.
    const cwd = await mkdtemp(join(tmpdir(), 'tenantry-prod-'));
    try {
      const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
      const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src/server.ts')], {
        cwd,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toContain('SESSION_SECRET is required when NODE_ENV=production');
      expect(output).toContain('openssl rand -base64 48');
      expect(output).toContain('REDIS_URL is required when NODE_ENV=production');
      expect(output).toContain('DATABASE_URL is required when NODE_ENV=production');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
