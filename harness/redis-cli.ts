import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Launched } from './launch.ts';

const run = promisify(execFile);

/** `redis-cli -p <port> <args…>` on 127.0.0.1; resolves with its output, rejects when it fails. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout;
}

/** `field:value` lines of INFO or CLUSTER INFO as a map. */
export function infoFields(text: string): Map<string, string> {
  return new Map(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

/** The calls of each command in an INFO commandstats answer: `{ get: 3, 'config|resetstat': 1 }`. */
export function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [, name, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[name!] = Number(count);
  }
  return calls;
}

/** SIGKILL, like a crash (SIGCONT first, in case it was paused), and wait for the exit. */
export async function killRedis(server: Launched): Promise<void> {
  server.child.kill('SIGCONT');
  await server.stop('SIGKILL');
}

/** Throws `what` unless `ok`: a check for `eventually`. */
export function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(`not yet: ${what}`);
}
