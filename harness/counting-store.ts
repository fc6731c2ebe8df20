import type { Kv, Store } from '../src/store/store.ts';
import { singleStore, type Stores } from '../src/store/stores.ts';

/**
 * The same real store, with every command the app sends counted (Redis still answers each one),
 * so a test can say "this request touched no store at all".
 */
export function countingStores(store: Store): {
  stores: Stores;
  commands(): number;
  reset(): void;
} {
  let count = 0;
  const kv = new Proxy(store.kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        count++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) satisfies Kv;
  return {
    stores: singleStore({ ...store, kv }),
    commands: () => count,
    reset: () => void (count = 0),
  };
}
