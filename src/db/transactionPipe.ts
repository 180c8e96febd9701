import type { CompiledQuery } from 'kysely';

/** A connection as pg's PoolClient and the PGlite facade's client both offer it. */
export interface PipeConnection {
  query(text: string, values?: unknown[]): Promise<{ rows?: unknown[] }>;
  release(destroy?: boolean): void;
}

/** A connection to run one transaction on; `pipelined` when statements may go out before earlier ones are answered. */
export interface TransactionConnection {
  connection: PipeConnection;
  pipelined: boolean;
}

export interface TransactionPipe {
  /** Sends a statement now, behind every statement sent before it; resolves with its rows. */
  send<R>(query: CompiledQuery<R> | string): Promise<R[]>;
  /** Sends COMMIT behind the statements sent so far and waits for all of them; throws the first failure. */
  commit(): Promise<void>;
}

/**
 * The statements of one transaction, sent as soon as they are known. On PostgreSQL the
 * connection is in node-postgres's pipeline mode: a statement goes out without waiting for
 * the answer to the one before, and PostgreSQL still runs them in order, each with its own
 * snapshot, so a read sent right behind the statement taking locks sees what was committed
 * before they were granted. On PGlite, one session that cannot interleave, they run one
 * after another. Once a statement fails, the ones behind it fail too (the transaction is
 * aborted, and COMMIT then only ends it), and every caller gets that first failure.
 */
class Pipe implements TransactionPipe {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly sent: Promise<unknown>[] = [];
  private failure: { error: unknown } | undefined;
  committed = false;

  constructor(private readonly tx: TransactionConnection) {}

  send<R>(query: CompiledQuery<R> | string): Promise<R[]> {
    const [text, values] = typeof query === 'string' ? [query, undefined] : [query.sql, [...query.parameters]];
    const run = () => this.tx.connection.query(text, values);
    // One after another, nothing more once a statement failed: PGlite's facade ends a
    // transaction whose opening failed at once, so what followed would run outside it.
    const answer = this.tx.pipelined ? run() : this.tail.then(() => (this.failure ? Promise.reject(this.failure.error) : run()));
    // Reactions run in the order they were registered: the failure is noted before any caller hears of it.
    this.tail = answer.then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= { error: err };
      },
    );
    const rows = answer.then(
      (result) => (result.rows ?? []) as R[],
      () => {
        throw this.failure!.error;
      },
    );
    // commit() reports a failure to whoever did not wait for that statement's rows.
    rows.catch(() => undefined);
    this.sent.push(rows);
    return rows;
  }

  async commit(): Promise<void> {
    void this.send('commit');
    await Promise.allSettled(this.sent);
    if (this.failure) throw this.failure.error;
    this.committed = true;
  }

  /** Ends a transaction that did not commit, behind whatever is still on its way. */
  async rollback(): Promise<void> {
    const run = () => this.tx.connection.query('rollback');
    await (this.tx.pipelined ? run() : this.tail.then(run));
  }
}

/**
 * Runs `run` in a transaction on `tx`, its BEGIN and `opening` (parameterless statements, in
 * the simple protocol) sent first; `run` sends its statements through the pipe, and may send
 * COMMIT right behind its last ones with `pipe.commit()` (else it goes once `run` returns).
 * If anything fails the transaction is rolled back and the connection goes back to its pool
 * (dropped, if even the rollback failed).
 */
export async function pipelinedTransaction<T>(tx: TransactionConnection, opening: string, run: (pipe: TransactionPipe) => Promise<T>): Promise<T> {
  const pipe = new Pipe(tx);
  let broken = false;
  try {
    void pipe.send(`begin; ${opening}`);
    const result = await run(pipe);
    if (!pipe.committed) await pipe.commit();
    return result;
  } catch (err) {
    await pipe.rollback().catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    tx.connection.release(broken);
  }
}
