#!/usr/bin/env -S node --max-old-space-size=256 --max-semi-space-size=32
// Runs the compiled CLI (dist/), compiling it first when the sources are newer (well under a
// second with esbuild; see scripts/build.mjs), so `npx leadgate` and `npm start` work from a
// checkout without a separate build step and no process carries a TypeScript loader.
//
// The line above caps V8's old space at 256 MB: left to itself, V8 lets a busy process's heap
// grow to ~300 MB of garbage before a major collection; capped, the same load runs at the same
// speed in ~190 MB (a process's live data is ~60 MB). The young generation goes the other way:
// the sync path's garbage is short-lived, and twice V8's default 16 MB semi-spaces (fewer
// scavenges) cut the `leadgate start` process's CPU per sync answer by ~15% (5 alternating
// runs, medians 773 → 637 µs) for ~30 MB more RSS; 64 MB gained nothing more for ~90 MB.
// Run by hand with `node <flags> bin/leadgate.js`: `leadgateNodeFlags()` in scripts/build.mjs
// reads these flags for whoever spawns it.
import { ensureBuild } from '../scripts/build.mjs';

await ensureBuild();
await import('../dist/src/cli.js');
