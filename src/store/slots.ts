/**
 * Redis Cluster's slot rule, which every kind of store keeps so code that runs on one Redis runs
 * on a cluster too: a key's slot is the CRC16 of its hash tag, or of the whole key without one.
 */

/**
 * The part of a key Redis Cluster hashes to pick its slot: the first non-empty `{…}`, else the key.
 * (Redis's rule: the first '{', then the first '}' after it.)
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

/**
 * Refuses a multi-key command whose keys do not share one hash tag (or are not one key), on every
 * kind of store: on a cluster such a command fails with CROSSSLOT, or is split by node-redis into
 * several commands that are no longer atomic. A bug, so a plain Error (a 500), never a 503.
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
