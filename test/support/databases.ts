import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { cleanupAfterFile } from './cleanup.js';

/**
 * A fresh, empty PostgreSQL database for one test file (created from the server the global
 * setup found), and its URL. `drop()` removes it, ending any connection left over.
 */
export async function createTestDatabase(label = 'test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('databaseUrl');
  const name = `leadgate_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function redisUrl(): string {
  return inject('redisUrl');
}

/**
 * A Redis key prefix no other test file uses, so parallel files never share queues. Its keys
 * are deleted after the file (queues are closed by then), so a developer's Redis does not
 * fill up with test queues.
 */
export function uniquePrefix(label = 'test'): string {
  const prefix = `lgtest-${label}-${randomBytes(4).toString('hex')}`;
  cleanupAfterFile(() => deleteKeys(prefix));
  return prefix;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
