import type { AsyncProjection } from './asyncProjection.js';
import { dailySummary } from './dailySummary.js';
import { leadsReport } from './leadsReport.js';
import { postbackTriggers } from './postbackTriggers.js';

/** Every async projection, by name: what the projector runs and replay rebuilds. */
export const asyncProjections: readonly AsyncProjection[] = [leadsReport, postbackTriggers, dailySummary];

export function findProjections(names: readonly string[]): AsyncProjection[] {
  const unknown = names.filter((n) => !asyncProjections.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown projection ${unknown.join(', ')}; known: ${asyncProjections.map((p) => p.name).join(', ')}`);
  }
  return asyncProjections.filter((p) => names.includes(p.name));
}
