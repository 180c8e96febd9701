import type { ColumnType, Generated } from 'kysely';

/** bigint columns arrive as strings from pg (and from the PGlite facade, which matches it). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface EventsTable {
  global_position: ColumnType<string, never, never>;
  stream_id: string;
  stream_version: number;
  type: string;
  data: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  transaction_id: ColumnType<string, never, never>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  transaction_id: ColumnType<string, string | undefined, string>;
  global_position: ColumnType<string, Int8 | undefined, string | number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  replay_started_at: Timestamp | null;
  replay_target_position: Int8 | null;
}

export interface LeadsReportTable {
  lead_id: string;
  received_at: Timestamp;
  affiliate_id: string;
  campaign_id: string | null;
  product_id: string | null;
  integration_id: string | null;
  country: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  click_id: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  sub6: string | null;
  sub7: string | null;
  sub8: string | null;
  sub9: string | null;
  sub10: string | null;
  status: string;
  code: string | null;
  error: string | null;
  auto_login_url: string | null;
  external_id: string | null;
  signup_at: Timestamp | null;
  ftd_at: Timestamp | null;
  ftd_amount: ColumnType<string | null, string | number | null, string | number | null>;
  ftd_currency: string | null;
  test: Generated<boolean>;
  updated_at: Timestamp;
}

export interface Database {
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  leads_report: LeadsReportTable;
}
