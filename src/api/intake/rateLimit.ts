import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Storage } from '../../db/storage.js';
import { AppError } from '../errors.js';

export interface IntakeLimiter {
  /** Throws the contract's 429 with Retry-After when the affiliate is over its limit. */
  consume(affiliateId: string): Promise<void>;
}

/**
 * A per-affiliate request budget shared by every API process: in Redis when there is one,
 * else in the database (rate-limiter-flexible does both). If the store is unreachable, a
 * per-process memory limiter stands in rather than refusing all intake.
 */
export async function createIntakeLimiter(options: { perMinute: number; storage: Storage; redis?: Redis }): Promise<IntakeLimiter> {
  if (options.perMinute <= 0) return { consume: async () => undefined };
  const common = { points: options.perMinute, duration: 60, keyPrefix: 'lg_intake' };
  const insuranceLimiter = new RateLimiterMemory(common);
  let limiter: RateLimiterAbstract;
  if (options.redis) {
    limiter = new RateLimiterRedis({ ...common, storeClient: options.redis, insuranceLimiter });
  } else {
    limiter = await new Promise<RateLimiterAbstract>((resolve, reject) => {
      const l: RateLimiterPostgres = new RateLimiterPostgres(
        { ...common, storeClient: options.storage.pool, storeType: 'pool', tableName: 'intake_rate_limits', insuranceLimiter },
        (err?: Error) => (err ? reject(err) : resolve(l)),
      );
    });
  }
  return {
    async consume(affiliateId) {
      try {
        await limiter.consume(affiliateId);
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new AppError(429, 'rate_limited', `Too many requests; retry in ${seconds} s`, { 'Retry-After': String(seconds) });
      }
    },
  };
}
