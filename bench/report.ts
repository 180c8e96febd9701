import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FigureRow } from './figure.js';
import type { BenchOptions } from './options.js';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

const HEADERS = ['figure', 'leadgate', 'baseline', 'ratio', 'target', 'pass/fail'];

function cells(row: FigureRow): string[] {
  const verdict = row.pass === null ? '—' : row.pass ? 'PASS' : 'FAIL';
  return [row.figure, row.leadgate, row.baseline, row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`, row.target, verdict];
}

/** The results as one aligned text table, notes underneath. */
export function formatTable(rows: readonly FigureRow[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...table.map((r) => [...r[c]!].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v + ' '.repeat(widths[c]! - [...v].length)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.flatMap((r) => (r.notes ?? []).map((n) => `  ${r.figure.trim()}: ${n}`));
  return [line(HEADERS), rule, ...table.slice(1).map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** Writes the results as JSON (test-output/ is git-ignored); returns the file's path. */
export async function writeResults(options: BenchOptions, rows: readonly FigureRow[], extra: Record<string, unknown>): Promise<string> {
  await mkdir(options.outDir, { recursive: true });
  const file = path.join(options.outDir, options.quick ? 'latest-quick.json' : 'latest.json');
  const { postgresUrl: _p, redisUrl: _r, ...settings } = options;
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), settings, ...extra, rows }, null, 2)}\n`);
  return file;
}
