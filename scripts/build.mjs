#!/usr/bin/env node
// Compiles the server (src/ without the console, and migrations/) to plain JavaScript in
// dist/, file for file, with esbuild: no type check (npm run typecheck does that), well under
// a second. `leadgate` runs the build, so a process carries no TypeScript loader (tsx costs
// ~60 MB of memory and a second of start-up). ensureBuild() rebuilds only when a source is
// newer than the last build, so a checkout always runs what it holds.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(root, 'dist');
const STAMP = path.join(DIST, '.built');
const SOURCES = ['src', 'migrations'].map((d) => path.join(root, d));
/** The console is Vite's (npm run build:web), not the server's. */
const SKIPPED = new Set([path.join(root, 'src', 'web')]);

function sourceFiles(dir, found = []) {
  if (!existsSync(dir) || SKIPPED.has(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, found);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

/** The Node flags on bin/leadgate.js's `#!/usr/bin/env -S node …` line: whoever spawns `node bin/leadgate.js` passes them too. */
export function leadgateNodeFlags() {
  const first = readFileSync(path.join(root, 'bin', 'leadgate.js'), 'utf8').split('\n', 1)[0];
  const match = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  if (!match) throw new Error(`bin/leadgate.js does not start with "#!/usr/bin/env -S node": ${first}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}

/** Where a source's JavaScript goes: dist/ mirrors the repository's layout. */
const outputOf = (source) => path.join(DIST, path.relative(root, source)).replace(/\.ts$/, '.js');

/**
 * True when dist/ holds a build at least as new as every source, with each source's output
 * (a file renamed keeps its time, and its new name has none yet), or there are no sources: an
 * image with dist/ only.
 */
export function buildIsCurrent() {
  const files = SOURCES.flatMap((d) => sourceFiles(d));
  if (files.length === 0) return existsSync(STAMP);
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return files.every((f) => statSync(f).mtimeMs <= built && existsSync(outputOf(f)));
}

/** Deletes the compiled files in `dir` that no source of this build produced (a source deleted or renamed since). */
function pruneStale(dir, produced) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) pruneStale(full, produced);
    else if (/\.js(\.map)?$/.test(entry.name) && !produced.has(full)) rmSync(full, { force: true });
  }
}

/**
 * Writes each output file through a temporary name and a rename: two processes building at
 * once (an api and a worker started together) write the same bytes, and neither ever
 * imports a half-written file.
 */
export async function build() {
  const esbuild = await import('esbuild');
  const entryPoints = SOURCES.flatMap((d) => sourceFiles(d));
  const result = await esbuild.build({
    entryPoints,
    outdir: DIST,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  // Another process building at the same moment produces the same files, so neither prunes the other's.
  const produced = new Set(result.outputFiles.map((f) => f.path));
  for (const dir of SOURCES) pruneStale(path.join(DIST, path.relative(root, dir)), produced);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return entryPoints.length;
}

/** Builds when dist/ is missing or older than the sources (always with `force`); says so on stderr. */
export async function ensureBuild({ force = false } = {}) {
  if (!force && buildIsCurrent()) return 'current';
  const started = Date.now();
  const files = await build();
  process.stderr.write(`[build] compiled ${files} files to dist/ in ${Date.now() - started} ms\n`);
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureBuild({ force: process.argv.includes('--force') }).catch((err) => {
    process.stderr.write(`[build] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
