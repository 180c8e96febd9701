import { cleanup } from '../support/cleanup.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Storage } from '../../src/db/storage.js';
import { verifyPassword } from '../../src/security/passwords.js';
import { createTestDatabase } from '../support/databases.js';
import { spawnLeadgate } from '../support/spawnLeadgate.js';
import { SECRET_KEY } from '../support/testServer.js';

/** The CLI with something on its standard input (spawnLeadgate gives it none). */
async function runWithStdin(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number | null; output: string }> {
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), cli, ...args], { env: { ...process.env, REDIS_URL: '', ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('leadgate create-admin', () => {
  const env: Record<string, string> = { SECRET_KEY };
  let storage: Storage;

  beforeAll(async () => {
    const database = await createTestDatabase('cli_admin');
    env.DATABASE_URL = database.url;
    storage = await openPostgres(database.url);
    cleanup(async () => {
      await storage.close();
      await database.drop();
    });
  });

  it('creates an admin on a database no server has started on, with the password from stdin', async () => {
    const run = await runWithStdin(['create-admin', '--email', 'ops@example.com', '--password-stdin'], env, 'a-long-password\n');
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/admin created: ops@example\.com \(e_\w+\)/);
    const row = await storage.db.selectFrom('employees').selectAll().where('email', '=', 'ops@example.com').executeTakeFirstOrThrow();
    expect(row.role).toBe('admin');
    expect(await verifyPassword('a-long-password', row.password_hash)).toBe(true);
    const created = await storage.db.selectFrom('events').select(['type', 'metadata']).where('type', '=', 'EmployeeCreated').execute();
    expect(created).toEqual([{ type: 'EmployeeCreated', metadata: expect.objectContaining({ actor: { kind: 'system', id: 'cli' } }) }]);
  }, 60_000);

  it('refuses an email already in use, a short password, and a missing password, exiting non-zero', async () => {
    const taken = spawnLeadgate(['create-admin', '--email', 'OPS@example.com', '--password', 'another-password'], { env });
    const short = spawnLeadgate(['create-admin', '--email', 'new@example.com', '--password', 'short'], { env });
    const none = spawnLeadgate(['create-admin', '--email', 'new@example.com'], { env });
    expect(await taken.exited).toBe(1);
    expect(taken.output()).toContain('OPS@example.com is already in use');
    expect(await short.exited).toBe(1);
    expect(short.output()).toContain('--password must be at least 8 characters');
    expect(await none.exited).not.toBe(0);
    expect(none.output()).toContain('give either --password or --password-stdin');
    expect(await storage.db.selectFrom('employees').select('id').execute()).toHaveLength(1);
  }, 60_000);
});
