import net from 'node:net';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { ensureBuild } from '../../scripts/build.mjs';

/**
 * Finds the Postgres and Redis the tests run against: TEST_DATABASE_URL / TEST_REDIS_URL (or
 * DATABASE_URL / REDIS_URL), else the local services on their standard ports, else — only
 * where a Docker engine answers — containers started with testcontainers.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests start the CLI through bin/leadgate.js, which compiles dist/ when a source is newer:
  // compiled once here, no test's output carries the build's message (a clean clone's first
  // `leadgate status --json` did), and parallel test files do not all compile at once.
  await ensureBuild();
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  let redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  if (!(await reachable(databaseUrl))) {
    if (!dockerAvailable()) throw new Error(`Postgres is not reachable at ${databaseUrl} and there is no Docker engine to start one`);
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    databaseUrl = container.getConnectionUri();
    stops.push(() => container.stop());
  }
  if (!(await reachable(redisUrl))) {
    if (!dockerAvailable()) throw new Error(`Redis is not reachable at ${redisUrl} and there is no Docker engine to start one`);
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    redisUrl = container.getConnectionUrl();
    stops.push(() => container.stop());
  }

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops) await stop();
  };
}
