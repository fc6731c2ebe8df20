import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/root.ts';
import type { ConfigId } from './configs.ts';
import type { Measured } from './load.ts';
import type { SignIns } from './sign-ins.ts';

/** bench/results.json: what `npm run bench` and `npm run bench:instructions` measured last. */
export const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Round extends Measured {
  /** CPU time of the server and PostgreSQL over the round, per answered request. */
  cpuMicrosPerRequest: number;
  /** Redis commands of the round, by command (CONFIG RESETSTAT before, INFO commandstats after). */
  redisCommands?: Record<string, number>;
  commandsPerRequest?: number;
}

export interface ConfigResult {
  id: ConfigId;
  label: string;
  rounds: Round[];
  requestsPerSecond: Spread;
  p99Ms: Spread;
  cpuMicrosPerRequest: Spread;
  commandsPerRequest?: Spread;
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: string;
  pass: boolean;
}

/** Instructions per signed-in read under callgrind, each server's windows summarised. */
export interface InstructionResult {
  id: ConfigId;
  label: string;
  windows: number[];
  perRead: Spread;
  commandsPerRead: number;
}

export interface Results {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; node: string; redis: string };
  settings: Record<string, number>;
  configs: ConfigResult[];
  /** Requests/s of `of` over `to`, per round, summarised; `cpu`: CPU per request, likewise. */
  ratios: {
    name: string;
    of: ConfigId;
    to: ConfigId;
    perRound: number[];
    spread: Spread;
    cpu: Spread;
  }[];
  signIns: SignIns;
  /** Spawn to ready (ms) and RSS then (bytes), each start, for the 3 demo tenants and for many. */
  startup: { demo: { ms: number[]; rss: number[] }; many: { ms: number[]; rss: number[] } };
  targets: Target[];
  instructions?: { date: string; command: string; servers: InstructionResult[] };
}

export function spread(xs: readonly number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export const readResults = (): Results | undefined =>
  existsSync(RESULTS_FILE)
    ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results)
    : undefined;
