import { sql } from 'kysely';
import type { AsyncProjection } from '../../src/projections/asyncProjection.js';

/** Records every event it is given, with who applied it: duplicates and gaps become visible. */
export function countingProjection(consumer: string): AsyncProjection {
  return {
    name: 'counting',
    handles: ['LeadReceived'],
    tables: [],
    async apply(trx, events) {
      for (const e of events) {
        await sql`insert into applied_events (global_position, consumer) values (${e.globalPosition}::bigint, ${consumer})`.execute(trx);
      }
    },
  };
}
