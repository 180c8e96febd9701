import type { ColumnType, Generated } from 'kysely';
import type { IntegrationDefinition } from '../events/types/configuration.js';
import type { PostbackValues } from '../workers/postbacks/macros.js';

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
  /** The secondary indexes a replay dropped, to build again when it ends (see replayIndexes.ts). */
  replay_indexes: ColumnType<SavedIndex[] | null, string | null | undefined, string | null>;
}

export interface SavedIndex {
  name: string;
  definition: string;
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

/** Numbers of one UTC day and (affiliate, campaign, product, country, test); '' is "unknown" in a key column. */
export interface DailySummaryTable {
  /** YYYY-MM-DD: `date` is read as a string in leadgate. */
  day: string;
  affiliate_id: string;
  campaign_id: string;
  product_id: string;
  country: string;
  test: boolean;
  leads: number;
  delivered: number;
  rejected: number;
  failed: number;
  pending: number;
  duplicates: number;
  refused: number;
  signups: number;
  ftds: number;
  ftd_amount: ColumnType<string, string | number, string | number>;
}

/** What daily_summary keeps of each accepted lead, to move it between counts on later events. */
export interface DailySummaryLeadsTable {
  lead_id: string;
  day: string;
  affiliate_id: string;
  campaign_id: string;
  product_id: string;
  country: string;
  test: boolean;
  status: LeadStatus;
  signed_up: boolean;
  ftd: boolean;
}

export interface SecretsTable {
  id: string;
  sealed: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface EmployeesTable {
  id: string;
  email: string;
  password_hash: string;
  role: 'admin' | 'manager';
  created_at: Timestamp;
}

export interface EmployeeTokensTable {
  id: string;
  employee_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface SessionsTable {
  id_hash: string;
  principal_kind: 'employee' | 'affiliate_user';
  principal_id: string;
  csrf_token: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  first_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface ProductsTable {
  id: string;
  name: string;
  advertiser: string | null;
  conversion_secret_id: string;
  conversion_secret_hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IntegrationsTable {
  id: string;
  product_id: string;
  type: 'leads' | 'registration';
  name: string;
  definition: Json<IntegrationDefinition>;
  headers_secret_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface AffiliatesTable {
  id: string;
  name: string;
  email: string;
  kind: 'affiliate' | 'ib';
  postback_secret_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CampaignsTable {
  id: string;
  affiliate_id: string;
  product_id: string;
  name: string;
  created_at: Timestamp;
}

export interface AffiliateUsersTable {
  id: string;
  affiliate_id: string;
  email: string;
  password_hash: string;
  created_at: Timestamp;
}

export interface ApiIntegrationsTable {
  id: string;
  affiliate_id: string;
  integration_id: string;
  product_id: string;
  enabled: boolean;
  allowed_countries: Json<string[] | null>;
  daily_cap: number | null;
  params: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  affiliate_id: string;
  key_hash: string;
  prefix: string;
  secret_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  superseded_until: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface IpWhitelistTable {
  id: string;
  affiliate_id: string;
  from_ip: string;
  to_ip: string;
  family: 4 | 6;
  input: string;
  open_to_all: boolean;
  created_at: Timestamp;
}

export interface PostbackConfigsTable {
  id: string;
  affiliate_id: string;
  event: 'lead' | 'signup' | 'ftd' | 'deposit';
  url: string;
  method: 'GET' | 'POST';
  product_id: string | null;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
}

export type LeadStatus = 'pending' | 'delivered' | 'rejected' | 'failed';

export interface LeadsTable {
  lead_id: string;
  affiliate_id: string;
  campaign_id: string;
  product_id: string;
  integration_id: string;
  api_integration_id: string | null;
  email_norm: string;
  phone_norm: string | null;
  click_id: string | null;
  test: boolean;
  status: LeadStatus;
  code: string | null;
  error: string | null;
  auto_login_url: string | null;
  external_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_attempt_started_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  stream_version: number;
  received_at: Timestamp;
  updated_at: Timestamp;
}

export interface LeadPasswordsTable {
  lead_id: string;
  sealed: string;
}

export interface IdempotencyKeysTable {
  affiliate_id: string;
  key: string;
  request_hash: string;
  lead_id: string;
  response_status: ColumnType<number | null, number | null | undefined, number | null>;
  response_body: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  leads: LeadsTable;
  lead_passwords: LeadPasswordsTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  leads_report: LeadsReportTable;
  daily_summary: DailySummaryTable;
  daily_summary_leads: DailySummaryLeadsTable;
  secrets: SecretsTable;
  employees: EmployeesTable;
  employee_tokens: EmployeeTokensTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  products: ProductsTable;
  integrations: IntegrationsTable;
  affiliates: AffiliatesTable;
  campaigns: CampaignsTable;
  affiliate_users: AffiliateUsersTable;
  api_integrations: ApiIntegrationsTable;
  api_keys: ApiKeysTable;
  ip_whitelist: IpWhitelistTable;
  postback_configs: PostbackConfigsTable;
  conversions: ConversionsTable;
  postback_deliveries: PostbackDeliveriesTable;
}

export interface ConversionsTable {
  product_id: string;
  transaction_id: string;
  conversion_id: string;
  lead_id: string;
  event: 'signup' | 'ftd' | 'deposit';
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** new: not sent yet; retrying: an attempt failed and another is due; delivered and failed end a series. */
export type PostbackDeliveryStatus = 'new' | 'retrying' | 'delivered' | 'failed';

export interface PostbackDeliveriesTable {
  id: string;
  postback_id: string;
  affiliate_id: string;
  lead_id: string;
  event: 'lead' | 'signup' | 'ftd' | 'deposit';
  transaction_id: string | null;
  method: 'GET' | 'POST';
  url: string;
  payload: Json<PostbackValues>;
  test: boolean;
  status: PostbackDeliveryStatus;
  /** 0 for the first series of attempts; each resend starts the next. */
  series: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  queued_at: Timestamp | null;
  lease_until: Timestamp | null;
  lease_holder: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
