import { hash } from 'node:crypto';
import pg from 'pg';

/** Distinct statements one connection prepares at most; later ones run unprepared. */
const MAX_PREPARED = 500;
/** Longer texts are one-offs (a large batch insert, a long IN list): not worth a slot. */
const MAX_TEXT = 8192;
/** Runs of a prepared statement before its first re-plan; each later one comes after twice as many. */
const FIRST_REPLAN = 50;

/** One text prepared in one session, in its current generation. */
interface Prepared {
  /** Named by the hash of the text; the generation is appended. */
  base: string;
  generation: number;
  runs: number;
  replanAt: number;
}

const nameOf = (p: Prepared) => `${p.base}_${p.generation}`;

/** The name a run of a statement goes under; `renews`: the name of the generation it replaces, when this run starts a new one. */
export interface StatementRun {
  name: string;
  renews?: string;
}

/**
 * Names for the statements one session (a connection) prepares, and when each is prepared
 * afresh: see PreparingClient for why, and why on the 51st run, the 101st, the 201st….
 */
export class StatementNames {
  private readonly prepared = new Map<string, Prepared>();

  /** How to run `text` now; undefined when it runs unprepared (a long one-off, or a session full of statements). */
  run(text: string): StatementRun | undefined {
    if (text.length > MAX_TEXT) return undefined;
    let p = this.prepared.get(text);
    if (!p) {
      if (this.prepared.size >= MAX_PREPARED) return undefined;
      p = { base: `lg_${hash('sha1', text, 'base64url').slice(0, 22)}`, generation: 0, runs: 0, replanAt: FIRST_REPLAN };
      this.prepared.set(text, p);
    }
    if (++p.runs <= p.replanAt) return { name: nameOf(p) };
    const renews = nameOf(p);
    p.generation++;
    p.replanAt *= 2;
    return { name: nameOf(p), renews };
  }
}

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
  private readonly names = new StatementNames();
  /** Names PostgreSQL holds on this connection (a run under them succeeded), so they can be deallocated. */
  private readonly held = new Set<string>();

  // pg's overloads cannot be re-declared one by one; this forwards all of them and rewrites one.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const run = typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2 ? this.names.run(text) : undefined;
    if (!run) return baseQuery.apply(this, args) as never;
    // Queued behind every query that may still use the old name. Only a statement known to
    // exist is deallocated: failing, DEALLOCATE would abort the transaction it runs in.
    if (run.renews && this.held.delete(run.renews)) baseQuery.call(this, `deallocate "${run.renews}"`).catch(() => undefined);
    const result = baseQuery.call(this, { name: run.name, text, values });
    // Until a run under this name succeeds; after that, nothing more on the hot path.
    if (!this.held.has(run.name)) {
      result.then(
        () => this.held.add(run.name),
        () => undefined,
      );
    }
    return result as never;
  }
}
