import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_event_store.js';
import * as m0002 from './0002_leads_report.js';
import * as m0003 from './0003_configuration.js';
import * as m0004 from './0004_intake.js';
import * as m0005 from './0005_reports.js';
import * as m0006 from './0006_postbacks.js';
import * as m0007 from './0007_click_id_dedupe.js';
import * as m0008 from './0008_replay_indexes.js';
import * as m0009 from './0009_event_rows.js';
import * as m0010 from './0010_payload_statistics.js';
import * as m0011 from './0011_value_first_lead_indexes.js';
import * as m0012 from './0012_hot_delivery_updates.js';

/** Every migration, in order. A static list so the same set runs from source, a build, or a bundle. */
export const migrations: Record<string, Migration> = {
  '0001_event_store': m0001,
  '0002_leads_report': m0002,
  '0003_configuration': m0003,
  '0004_intake': m0004,
  '0005_reports': m0005,
  '0006_postbacks': m0006,
  '0007_click_id_dedupe': m0007,
  '0008_replay_indexes': m0008,
  '0009_event_rows': m0009,
  '0010_payload_statistics': m0010,
  '0011_value_first_lead_indexes': m0011,
  '0012_hot_delivery_updates': m0012,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
