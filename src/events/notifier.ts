import type { ListenConnection } from '../db/storage.js';
import type { Logger } from '../logger.js';

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process, shared by every consumer that wants to be woken when
 * events are committed (projections, requests waiting for a lead's outcome). On Postgres the
 * connection is re-opened with backoff when it drops; callers poll as well, so a missed
 * notification only costs latency, never an event.
 */
export class Notifier {
  private readonly handlers = new Map<string, Set<Handler>>();
  private connection: ListenConnection | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: () => Promise<ListenConnection>,
    private readonly logger?: Logger,
  ) {}

  /** Calls `handler` with each notification's payload on `channel`; returns the unsubscribe. */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    const set = this.handlers.get(channel) ?? new Set<Handler>();
    const isNewChannel = set.size === 0;
    set.add(handler);
    this.handlers.set(channel, set);
    await this.ensureConnected();
    if (isNewChannel && this.connection) await this.connection.query(`LISTEN ${quoteIdent(channel)}`);
    return () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    await this.disconnect();
  }

  private ensureConnected(): Promise<void> {
    if (this.connection || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const connection = await this.open();
    connection.on('notification', (msg) => {
      for (const handler of this.handlers.get(msg.channel) ?? []) {
        // A handler that throws would throw out of the connection's socket and end the
        // process; the others on the channel would not hear of it either. The payload is not
        // logged: an outcome's carries its auto-login URL.
        try {
          handler(msg.payload ?? '');
        } catch (err) {
          this.logger?.warn({ err: (err as Error).message, channel: msg.channel }, 'a notification handler failed; notification skipped');
        }
      }
    });
    connection.on('error', (err) => {
      if (this.connection !== connection) return;
      this.logger?.warn({ err: err.message }, 'notification connection lost; reconnecting');
      void this.disconnect().then(() => this.scheduleReconnect(250));
    });
    for (const channel of this.handlers.keys()) await connection.query(`LISTEN ${quoteIdent(channel)}`);
    this.connection = connection;
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.ensureConnected().catch((err: Error) => {
        this.logger?.warn({ err: err.message }, 'notification reconnect failed');
        this.scheduleReconnect(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.removeAllListeners('notification');
    if (connection.release) connection.release();
    else await connection.end?.().catch(() => undefined);
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid channel name ${name}`);
  return name;
}
