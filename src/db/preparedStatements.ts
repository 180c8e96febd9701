import { hash } from 'node:crypto';
import pg from 'pg';

/** Distinct statements one connection prepares at most; later ones run unprepared. */
const MAX_PREPARED = 500;
/** Longer texts are one-offs (a large batch insert, a long IN list): not worth a slot. */
const MAX_TEXT = 8192;
/** Runs of a prepared statement before its first re-plan; each later one comes after twice as many. */
const FIRST_REPLAN = 50;

/** One text prepared on one connection, in its current generation. */
interface Prepared {
  /** Named by the hash of the text; the generation is appended. */
  base: string;
  generation: number;
  runs: number;
  replanAt: number;
  /** PostgreSQL holds the current generation (a run of it succeeded), so it can be deallocated. */
  held: boolean;
}

const nameOf = (p: Prepared) => `${p.base}_${p.generation}`;

/**
 * A pg client that prepares every parameterised statement once per connection (a named
 * statement, named by the hash of its text) and then only binds and executes it: PostgreSQL
 * skips parsing, and after five runs planning, on the hot path's statements. Kysely calls
 * `query(text, values)`; that form is the one handled. Not for a transaction-mode PgBouncer
 * older than 1.21, which cannot carry named statements (DATABASE_PREPARED_STATEMENTS=false).
 *
 * A prepared statement's generic plan is made for the tables as they were: one made while a
 * new installation's `events` and `leads` were nearly empty goes on scanning them whole as
 * they grow (each delivery append ~15 ms, a lone lead's answer 25 ms instead of 10, until
 * autovacuum's ANALYZE happened to invalidate it). So each statement is prepared afresh on
 * its 51st run on a connection, then its 101st, 201st…: on a young installation, whose tables
 * grow with the runs that write them, a plan is renewed as they double; a statement that ran
 * a million times was renewed about 15 times. PostgreSQL then plans its first five runs for
 * their values and keeps the generic plan only if it costs no more. Planning every run of
 * the appends instead cost 1.5–2 ms each, and a lone lead's answer waits for three.
 */
const baseQuery = pg.Client.prototype.query as unknown as (this: pg.Client, ...args: unknown[]) => Promise<unknown>;

export class PreparingClient extends pg.Client {
  private readonly prepared = new Map<string, Prepared>();

  // pg's overloads cannot be re-declared one by one; this forwards all of them and rewrites one.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2 && text.length <= MAX_TEXT) {
      const p = this.statement(text);
      if (p) {
        const result = baseQuery.call(this, { name: nameOf(p), text, values });
        // Until a run of this generation succeeds; after that, nothing more on the hot path.
        if (!p.held) {
          const generation = p.generation;
          result.then(
            () => {
              if (p.generation === generation) p.held = true;
            },
            () => undefined,
          );
        }
        return result as never;
      }
    }
    return baseQuery.apply(this, args) as never;
  }

  private statement(text: string): Prepared | undefined {
    let p = this.prepared.get(text);
    if (!p) {
      if (this.prepared.size >= MAX_PREPARED) return undefined;
      p = { base: `lg_${hash('sha1', text, 'base64url').slice(0, 22)}`, generation: 0, runs: 0, replanAt: FIRST_REPLAN, held: false };
      this.prepared.set(text, p);
    }
    if (++p.runs > p.replanAt) {
      // Queued behind every query that may still use the old name. Only a statement known to
      // exist is deallocated: failing, DEALLOCATE would abort the transaction it runs in.
      if (p.held) baseQuery.call(this, `deallocate "${nameOf(p)}"`).catch(() => undefined);
      p.generation++;
      p.replanAt *= 2;
      p.held = false;
    }
    return p;
  }
}
