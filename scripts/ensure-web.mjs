#!/usr/bin/env node
// Builds the web console (src/web → src/web/dist) when the build is missing or older than its
// sources, so `npm start` on a fresh clone serves the console without a separate step. An
// install without devDependencies has no Vite: then the server answers the console's URL with
// a 503 page that says how to build it, and start goes on.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const webRoot = fileURLToPath(new URL('../src/web/', import.meta.url));
const builtIndex = path.join(webRoot, 'dist', 'index.html');
/** What the build reads besides node_modules: the sources, the page and the config. */
const inputs = [path.join(webRoot, 'src'), path.join(webRoot, 'public'), path.join(webRoot, 'index.html'), path.join(webRoot, 'vite.config.ts')];

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function say(line) {
  process.stderr.write(`[ensure-web] ${line}\n`);
}

export function webBuildIsCurrent() {
  if (!existsSync(builtIndex)) return false;
  const built = statSync(builtIndex).mtimeMs;
  return inputs.every((input) => newestMtime(input) <= built);
}

export async function ensureWeb() {
  if (webBuildIsCurrent()) return 'current';
  let vite;
  try {
    vite = await import('vite');
  } catch {
    say('src/web/dist is missing or stale and Vite is not installed (npm ci without dev dependencies?); run npm run build:web');
    return 'skipped';
  }
  say('building the web console (src/web → src/web/dist)');
  // Vite takes NODE_ENV from the environment over its mode: under a test runner (NODE_ENV=test) it would bundle React's development build.
  process.env.NODE_ENV = 'production';
  await vite.build({ configFile: path.join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWeb().catch((err) => {
    say(`build failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  });
}
