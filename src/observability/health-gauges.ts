import { Gauge, type Registry } from 'prom-client';
import type { Stores } from '../store/stores.ts';

/**
 * Asked at each scrape, so never older than it. 1 only when a store fully serves: a "degraded"
 * cluster answers 503 for a primary's keys, which is worth an alert.
 */
export function healthGauges(
  registry: Registry,
  stores: Stores,
  databaseUp: (() => Promise<boolean>) | undefined,
): void {
  new Gauge({
    name: 'store_up',
    help: 'Whether the store (Redis) serves: 1 up, 0 down or degraded. Asked at each scrape.',
    labelNames: ['store'] as const,
    registers: [registry],
    async collect() {
      const all = stores.all();
      const states = await Promise.all(all.map((store) => store.state()));
      this.reset();
      all.forEach((store, i) => this.set({ store: store.name }, states[i] === 'up' ? 1 : 0));
    },
  });
  // No series at all until a database is wired in: a constant would claim a check nobody made.
  if (!databaseUp) return;
  new Gauge({
    name: 'database_up',
    help: 'Whether the database answers: 1 or 0. Asked at each scrape.',
    registers: [registry],
    async collect() {
      this.set((await databaseUp().catch(() => false)) ? 1 : 0);
    },
  });
}
