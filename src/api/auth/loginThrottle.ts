import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../errors.js';

/** Per email, and (higher, since offices share an address) per client IP. */
const MAX_FAILURES = { email: 5, ip: 20 };
const WINDOW_MS = 15 * 60 * 1000;
const LOCK_MS = 15 * 60 * 1000;

/**
 * Login throttling in the database (so every API process shares it): after five failures in
 * fifteen minutes for one email (twenty from one address), logins for it are refused for
 * fifteen minutes with 429 and Retry-After. Keys look like `email:…` and `ip:…`.
 */
export class LoginThrottle {
  constructor(private readonly db: Kysely<Database>) {}

  async assertAllowed(keys: string[]): Promise<void> {
    const rows = await this.db.selectFrom('login_failures').select(['locked_until']).where('key', 'in', keys).execute();
    const until = Math.max(0, ...rows.map((r) => (r.locked_until ? new Date(r.locked_until).getTime() : 0)));
    if (until > Date.now()) {
      const seconds = Math.ceil((until - Date.now()) / 1000);
      throw new AppError(429, 'rate_limited', 'Too many failed logins; try again later', { 'Retry-After': String(seconds) });
    }
  }

  async recordFailure(keys: string[]): Promise<void> {
    const now = new Date();
    for (const key of keys) {
      await this.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('login_failures').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
        const fresh = !row || now.getTime() - new Date(row.first_at).getTime() > WINDOW_MS;
        const failures = fresh ? 1 : row.failures + 1;
        const limit = key.startsWith('ip:') ? MAX_FAILURES.ip : MAX_FAILURES.email;
        const lockedUntil = failures >= limit ? new Date(now.getTime() + LOCK_MS) : null;
        await trx
          .insertInto('login_failures')
          .values({ key, failures, first_at: fresh ? now : row.first_at, locked_until: lockedUntil })
          .onConflict((oc) => oc.column('key').doUpdateSet({ failures, first_at: fresh ? now : row.first_at, locked_until: lockedUntil }))
          .execute();
      });
    }
  }

  async clear(keys: string[]): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', 'in', keys).execute();
  }
}
