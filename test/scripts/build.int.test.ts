import { spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIST, leadgateNodeFlags } from '../../scripts/build.mjs';
import { cleanup } from '../support/cleanup.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A throwaway project holding a copy of the build script: its sources are the test's to touch. */
async function scratchProject(): Promise<{ dir: string; build: typeof import('../../scripts/build.mjs') }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leadgate-build-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'scripts'));
  await copyFile(path.join(ROOT, 'scripts/build.mjs'), path.join(dir, 'scripts/build.mjs'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [file, text] of [
    ['src/main.ts', "import { twice } from './lib/twice.js';\nexport const answer: number = twice(21);\n"],
    ['src/lib/twice.ts', 'export const twice = (n: number): number => n * 2;\n'],
    ['src/web/console.ts', 'export const console = true;\n'],
    ['migrations/0001.ts', 'export const up = 1;\n'],
  ] as const) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return { dir, build: (await import(pathToFileURL(path.join(dir, 'scripts/build.mjs')).href)) as typeof import('../../scripts/build.mjs') };
}

describe('the compiled build (scripts/build.mjs)', () => {
  it('compiles src/ (not the console) and migrations/ file for file, and again only when a source is newer', async () => {
    const { dir, build } = await scratchProject();
    expect(build.buildIsCurrent()).toBe(false);
    expect(await build.ensureBuild()).toBe('built');
    const compiled = (await import(pathToFileURL(path.join(dir, 'dist/src/main.js')).href)) as { answer: number };
    expect(compiled.answer).toBe(42);
    expect(existsSync(path.join(dir, 'dist/migrations/0001.js'))).toBe(true);
    expect(existsSync(path.join(dir, 'dist/src/web'))).toBe(false);
    expect(await build.ensureBuild()).toBe('current');

    // A source touched after the build: the next start compiles again.
    const built = statSync(path.join(dir, 'dist/.built')).mtime;
    utimesSync(path.join(dir, 'src/lib/twice.ts'), built, new Date(built.getTime() + 1));
    expect(build.buildIsCurrent()).toBe(false);
    expect(await build.ensureBuild()).toBe('built');
    expect(build.buildIsCurrent()).toBe(true);
  });

  it('compiles a renamed source even when its time is older than the build, and drops what a deleted or renamed source left', async () => {
    const { dir, build } = await scratchProject();
    expect(await build.ensureBuild()).toBe('built');
    const before = statSync(path.join(dir, 'src/lib/twice.ts')).mtime;
    // As `git mv` does: a new name, the old time.
    await rename(path.join(dir, 'src/lib/twice.ts'), path.join(dir, 'src/lib/double.ts'));
    utimesSync(path.join(dir, 'src/lib/double.ts'), before, before);
    await writeFile(path.join(dir, 'src/main.ts'), "export const answer: number = 42;\n");
    utimesSync(path.join(dir, 'src/main.ts'), before, before);
    expect(build.buildIsCurrent()).toBe(false);
    expect(await build.ensureBuild()).toBe('built');
    expect(existsSync(path.join(dir, 'dist/src/lib/double.js'))).toBe(true);
    expect(existsSync(path.join(dir, 'dist/src/lib/twice.js'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist/src/lib/twice.js.map'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist/src/main.js'))).toBe(true);
    expect(build.buildIsCurrent()).toBe(true);
  });

  it('runs: the bin starts the compiled CLI with the Node flags on its #! line', () => {
    expect(leadgateNodeFlags()).toEqual(['--max-old-space-size=256', '--max-semi-space-size=32']);
    const run = spawnSync(process.execPath, [...leadgateNodeFlags(), path.join(ROOT, 'bin/leadgate.js'), '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: leadgate');
    // No TypeScript loader is involved: the build's own files are what ran.
    expect(statSync(path.join(DIST, 'src/cli.js')).isFile()).toBe(true);
  });
});
