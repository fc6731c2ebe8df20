/** The `tenant` label of a request that resolved no tenant (an unknown or central host). */
export const NO_TENANT = 'none';
/** The `tenant` label of every tenant past the first `max` seen. */
export const OTHER_TENANTS = 'other';

/**
 * Ids for the first `max` tenants seen, "other" after: each label value is a series of its own, so
 * an unbounded label would grow with the customers until the scraper runs out of memory.
 */
export function tenantLabels(max: number): (tenantId: string | undefined) => string {
  const labelled = new Set<string>();
  return (tenantId) => {
    if (tenantId === undefined) return NO_TENANT;
    if (labelled.has(tenantId)) return tenantId;
    if (labelled.size >= max) return OTHER_TENANTS;
    labelled.add(tenantId);
    return tenantId;
  };
}
