import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that seals revealable secrets. Given by SECRET_KEY; in the embedded shape, generated
 * once into DATA_DIR (mode 0600) so `npm start` needs no setup. Postgres shapes require it: a
 * fleet must share one key, and it must not live beside a database backup.
 */
export async function resolveSecretKey(options: { secretKey?: string; embedded: boolean; dataDir: string }): Promise<string> {
  if (options.secretKey) return options.secretKey;
  if (!options.embedded) {
    throw new Error('SECRET_KEY is required with DATABASE_URL (32 random bytes, base64: `openssl rand -base64 32`)');
  }
  if (options.dataDir === ':memory:') return randomBytes(32).toString('base64');
  const file = path.resolve(options.dataDir, 'secret.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}
