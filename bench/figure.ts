import type { Cleanup } from './cleanup.js';
import type { BenchOptions } from './options.js';

/** One row of the table: leadgate's value next to its baseline's, and the target. */
export interface FigureRow {
  figure: string;
  leadgate: string;
  baseline: string;
  /** leadgate ÷ baseline where both are rates (or the comparison the target states). */
  ratio: number | null;
  target: string;
  /** null: no target, or not measured. */
  pass: boolean | null;
  notes?: string[];
  /** The raw numbers behind the row, for the JSON results. */
  data?: Record<string, unknown>;
}

export interface FigureContext {
  options: BenchOptions;
  /** Undoes what the figure started; run when the figure ends however it ends. */
  cleanup: Cleanup;
  log(message: string): void;
}

export interface Figure {
  id: string;
  title: string;
  run(ctx: FigureContext): Promise<FigureRow[]>;
}

export const fmt = {
  rate: (v: number, unit = 'req/s') => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} ${unit}` : 'n/a'),
  ms: (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms` : 'n/a'),
  mb: (v: number) => (Number.isFinite(v) ? `${Math.round(v)} MB` : 'n/a'),
};

export function ratio(leadgate: number, baseline: number): number | null {
  return Number.isFinite(leadgate) && Number.isFinite(baseline) && baseline > 0 ? leadgate / baseline : null;
}
