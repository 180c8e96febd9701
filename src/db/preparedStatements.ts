import { createHash } from 'node:crypto';
import pg from 'pg';

/** Distinct statements one connection prepares at most; later ones run unprepared. */
const MAX_PREPARED = 500;
/** Longer texts are one-offs (a large batch insert, a long IN list): not worth a slot. */
const MAX_TEXT = 8192;

/**
 * A pg client that prepares every parameterised statement once per connection (a named
 * statement, named by the hash of its text) and then only binds and executes it: PostgreSQL
 * skips parsing, and after a few runs planning, on the hot path's statements. Kysely calls
 * `query(text, values)`; that form is the one handled. Not for a transaction-mode PgBouncer
 * older than 1.21, which cannot carry named statements (DATABASE_PREPARED_STATEMENTS=false).
 */
const baseQuery = pg.Client.prototype.query as unknown as (this: pg.Client, ...args: unknown[]) => never;

export class PreparingClient extends pg.Client {
  private readonly named = new Set<string>();

  // pg's overloads cannot be re-declared one by one; this forwards all of them and rewrites one.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2 && text.length <= MAX_TEXT) {
      const name = `lg_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
      if (this.named.has(name) || this.named.size < MAX_PREPARED) {
        this.named.add(name);
        return baseQuery.call(this, { name, text, values });
      }
    }
    return baseQuery.apply(this, args);
  }
}
