import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support/root.ts';
import type { ConfigId } from './configs.ts';
import type { Measured } from './load.ts';

/** bench/results.json: what `npm run bench` measured, and what `npm run bench:table` renders. */
export const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Round extends Measured {
  /** Redis commands of the round, by command (CONFIG RESETSTAT before, INFO commandstats after). */
  redisCommands?: Record<string, number>;
  /** All of them, per request sent. */
  commandsPerRequest?: number;
}

export interface ConfigResult {
  id: ConfigId;
  label: string;
  rounds: Round[];
  requestsPerSecond: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  errors: number;
  commandsPerRequest?: Spread;
}

export interface Ratio {
  name: string;
  of: ConfigId;
  to: ConfigId;
  /** Requests per second of `of` over `to`, per round. */
  perRound: number[];
  spread: Spread;
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: string;
  pass: boolean;
}

export interface Results {
  date: string;
  command: string;
  env: Record<string, string>;
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    os: string;
    node: string;
    redis: string;
  };
  settings: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    rounds: number;
    tenants: number;
    signedInTenants: number;
    starts: number;
  };
  configs: ConfigResult[];
  ratios: Ratio[];
  startup: {
    /** Spawn to ready (/readyz and a tenant's page), each start; then RSS right then. */
    demo: { ms: number[]; rssBytes: number[] };
    many: { ms: number[]; rssBytes: number[] };
    /** RSS of the 10,000-tenant server after every measured round. */
    manyRssAfterLoadBytes: number;
  };
  targets: Target[];
}

export function spread(xs: readonly number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export const readResults = () => JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;

/** What the many tenants add over the 3 demo tenants: start-up (s) and RSS when ready (MB), medians. */
export function tenantsCost(startup: Results['startup']): { seconds: number; megabytes: number } {
  const { demo, many } = startup;
  const med = (xs: number[]) => spread(xs).median;
  return {
    seconds: (med(many.ms) - med(demo.ms)) / 1000,
    megabytes: (med(many.rssBytes) - med(demo.rssBytes)) / 1e6,
  };
}
