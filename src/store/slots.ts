/** What Redis Cluster hashes to pick a key's slot: the first non-empty `{…}`, else the key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

/**
 * Keys under two hash tags are refused on every kind of store, so code that runs on one Redis runs
 * on a cluster, where the command would fail (CROSSSLOT) or be split. A bug: a 500, never a 503.
 */
export function oneSlot<T>(keys: string[], command: () => Promise<T>): Promise<T> {
  const tags = new Set(keys.map(hashTag));
  if (tags.size > 1) {
    return Promise.reject(
      new Error(`CROSSSLOT: one command over keys in different hash slots: ${keys.join(' ')}`),
    );
  }
  return command();
}
