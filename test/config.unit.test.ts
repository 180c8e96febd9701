import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, storageShape } from '../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded shape on port 8080 with a 10 s sync window', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 8080, DATA_DIR: './data', SYNC_WINDOW_MS: 10_000, TRUSTED_PROXIES: 0 });
    expect(storageShape(config)).toBe('embedded');
  });

  it('picks the shape from DATABASE_URL and REDIS_URL', () => {
    expect(storageShape(loadConfig({ DATABASE_URL: 'postgres://h/db' }))).toBe('postgres');
    expect(storageShape(loadConfig({ DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379' }))).toBe('postgres+redis');
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://h/db'],
    ['REDIS_URL', 'not a url'],
    ['TRUSTED_PROXIES', '-1'],
    ['SYNC_WINDOW_MS', 'soon'],
    ['ALLOW_PRIVATE_TARGETS', 'maybe'],
    ['SECRET_KEY', 'c2hvcnQ='],
    ['ADMIN_EMAIL', 'not-an-email'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    const env = { [variable]: value, ...(variable === 'REDIS_URL' ? { DATABASE_URL: 'postgres://h/db' } : {}) };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}: `));
  });

  it('refuses REDIS_URL without DATABASE_URL: the events need PostgreSQL', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/REDIS_URL: needs DATABASE_URL/);
  });

  it('stops the boot with a message naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: '', REDIS_URL: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT: ');
  });
});
