import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Cleanup } from './cleanup.js';

export interface BenchDatabase {
  url: string;
  name: string;
}

/** Names carry the bench's pid, so a later run can tell leftovers of a killed run from a live run's. */
const OWNER = `p${process.pid}`;

/** A fresh, empty database on the bench's Postgres server, dropped at cleanup. */
export async function createDatabase(serverUrl: string, label: string, cleanup: Cleanup): Promise<BenchDatabase> {
  const name = `leadgate_bench_${OWNER}_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`.toLowerCase();
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
  // QUEUE_PREFIX allows 40 characters: 8 + 8 + 17 + 7 at most.
  const prefix = `lgbench-${OWNER}-${label.replace(/[^\w-]/g, '_').slice(0, 16)}-${randomBytes(3).toString('hex')}`;
  cleanup.add(`delete redis keys ${prefix}:*`, () => deleteKeys(redisUrl, `${prefix}:`));
  return prefix;
}

async function deleteKeys(redisUrl: string, prefix: string, keep: (key: string) => boolean = () => false): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      const keys = found.filter((k) => !keep(k));
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the databases and Redis keys of bench runs that were killed before they could clean
 * up (their pid is gone); a bench running at the same time keeps its own.
 */
export async function removeLeftovers(serverUrl: string, redisUrl: string): Promise<string[]> {
  const ownerAlive = (name: string) => {
    const pid = /^(?:leadgate_bench_|lgbench-)p(\d+)[_-]/.exec(name)?.[1];
    return pid === undefined || alive(Number(pid));
  };
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  const removed: string[] = [];
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'leadgate\\_bench\\_p%'");
    for (const { datname } of rows.filter((r) => !ownerAlive(r.datname))) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      removed.push(datname);
    }
  } finally {
    await client.end();
  }
  const keys = await deleteKeys(redisUrl, 'lgbench-p', ownerAlive);
  if (keys > 0) removed.push(`${keys} Redis keys`);
  return removed;
}

/** 32 random bytes, base64: what SECRET_KEY wants. */
export function secretKey(): string {
  return randomBytes(32).toString('base64');
}
