/**
 * Preloaded (`node --import`) into every process the bench starts. The bench holds the write
 * end of this process's stdin; when the bench dies, even by SIGKILL, stdin ends and this
 * process shuts down as on SIGTERM, so no server under test outlives its benchmark.
 */
import process from 'node:process';
import { setTimeout } from 'node:timers';

process.stdin.on('end', () => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 20_000).unref();
});
process.stdin.on('error', () => undefined);
process.stdin.resume();
