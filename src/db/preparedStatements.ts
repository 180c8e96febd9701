import { createHash } from 'node:crypto';
import pg from 'pg';

/** Distinct statements one connection prepares at most; later ones run unprepared. */
const MAX_PREPARED = 500;
/** Longer texts are one-offs (a large batch insert, a long IN list): not worth a slot. */
const MAX_TEXT = 8192;

/**
 * Put in a statement's text to have it sent unprepared, so PostgreSQL plans each run for the
 * values and the tables as they are. A prepared statement switches to a generic plan after five
 * runs and keeps it until the table's statistics change: one chosen while a table was empty
 * (a new installation's first leads) goes on scanning it whole as it grows. The event appends
 * carry it: right after 15,000 leads, their cached plan made each delivery append ~15 ms and a
 * lone lead's answer 25 ms instead of 10, until autovacuum's ANALYZE replaced it.
 */
export const PLAN_EACH_RUN = '/* plan each run */';

/**
 * A pg client that prepares every parameterised statement once per connection (a named
 * statement, named by the hash of its text) and then only binds and executes it: PostgreSQL
 * skips parsing, and after a few runs planning, on the hot path's statements. Kysely calls
 * `query(text, values)`; that form is the one handled; texts marked PLAN_EACH_RUN are left
 * unprepared. Not for a transaction-mode PgBouncer older than 1.21, which cannot carry named
 * statements (DATABASE_PREPARED_STATEMENTS=false).
 */
const baseQuery = pg.Client.prototype.query as unknown as (this: pg.Client, ...args: unknown[]) => never;

export class PreparingClient extends pg.Client {
  private readonly named = new Set<string>();

  // pg's overloads cannot be re-declared one by one; this forwards all of them and rewrites one.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2 && text.length <= MAX_TEXT && !text.includes(PLAN_EACH_RUN)) {
      const name = `lg_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
      if (this.named.has(name) || this.named.size < MAX_PREPARED) {
        this.named.add(name);
        return baseQuery.call(this, { name, text, values });
      }
    }
    return baseQuery.apply(this, args);
  }
}
