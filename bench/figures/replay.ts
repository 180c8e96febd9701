import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/storage.js';
import { leadsReport } from '../../src/projections/leadsReport.js';
import { replayProjections } from '../../src/projections/replay.js';
import { DATASET_AFFILIATES, writeLeadLog } from '../dataset.js';
import { fmt, ratio, type Figure, type FigureContext, type FigureRow } from '../figure.js';
import { createDatabase } from '../infra.js';
import { median } from '../load.js';

const TARGET_EVENTS_PER_S = 50_000;
/** The batch size replay reads with, so both read the log the same way. */
const SCAN_BATCH = 2000;

/**
 * Replay: rebuild the Leads via API report from N events (LeadReceived and its outcome, half
 * and half) with `replayProjections`, in this process, against a plain keyset SELECT scan of
 * the same events read into the same process.
 */
export const replayFigure: Figure = {
  id: 'replay',
  title: 'replay of the leads report',
  async run(ctx: FigureContext): Promise<FigureRow[]> {
    const { options, cleanup } = ctx;
    const db = await createDatabase(options.postgresUrl, 'replay', cleanup);
    const storage = await openPostgres(db.url);
    cleanup.add('close replay storage', () => storage.close());
    await migrateToLatest(storage.db);
    const plain = new pg.Pool({ connectionString: db.url, max: 1 });
    cleanup.add('close replay scan pool', () => plain.end());
    ctx.log(`writing ${options.replayEvents.toLocaleString('en-US')} events`);
    const written = performance.now();
    const events = await writeLeadLog(storage.db, { leads: options.replayEvents / 2, outcomes: true, affiliates: DATASET_AFFILIATES, days: 180 });
    ctx.log(`written in ${((performance.now() - written) / 1000).toFixed(1)} s`);

    const replayRates: number[] = [];
    const scanRates: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      ctx.log(`replay run ${run + 1}`);
      let t = performance.now();
      const [result] = await replayProjections(storage.db, [leadsReport]);
      replayRates.push((result!.done / (performance.now() - t)) * 1000);

      t = performance.now();
      let read = 0;
      let after = '0';
      for (;;) {
        const { rows } = await plain.query<{ global_position: string }>(
          'select * from events where global_position > $1 order by global_position limit $2',
          [after, SCAN_BATCH],
        );
        if (rows.length === 0) break;
        read += rows.length;
        after = rows[rows.length - 1]!.global_position;
      }
      scanRates.push((read / (performance.now() - t)) * 1000);
    }
    const built = await sql<{ n: string }>`select count(*) as n from leads_report`.execute(storage.db);
    const rows = Number(built.rows[0]!.n);
    const lg = median(replayRates);
    const base = median(scanRates);
    return [
      {
        figure: `replay of the leads report (${events.toLocaleString('en-US')} events)`,
        leadgate: fmt.rate(lg, 'events/s'),
        baseline: fmt.rate(base, 'events/s'),
        ratio: ratio(lg, base),
        target: `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s`,
        pass: Number.isFinite(lg) ? lg >= TARGET_EVENTS_PER_S && rows === options.replayEvents / 2 : null,
        notes: rows === options.replayEvents / 2 ? [] : [`the rebuilt report has ${rows} rows, expected ${options.replayEvents / 2}`],
        data: { replayRuns: replayRates, scanRuns: scanRates, reportRows: rows },
      },
    ];
  },
};
