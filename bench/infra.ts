import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Cleanup } from './cleanup.js';

export interface BenchDatabase {
  url: string;
  name: string;
}

/** A fresh, empty database on the bench's Postgres server, dropped at cleanup. */
export async function createDatabase(serverUrl: string, label: string, cleanup: Cleanup): Promise<BenchDatabase> {
  const name = `leadgate_bench_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`.toLowerCase();
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  cleanup.add(`drop database ${name}`, () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix of its own for one server under test; its keys are deleted at cleanup. */
export function queuePrefix(redisUrl: string, label: string, cleanup: Cleanup): string {
  const prefix = `lgbench-${label}-${randomBytes(3).toString('hex')}`;
  cleanup.add(`delete redis keys ${prefix}:*`, () => deleteKeys(redisUrl, prefix));
  return prefix;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** 32 random bytes, base64: what SECRET_KEY wants. */
export function secretKey(): string {
  return randomBytes(32).toString('base64');
}
