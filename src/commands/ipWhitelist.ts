import { errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { parseIpRange, type IpFamily } from '../security/ipRanges.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';

export interface IpWhitelistEntryView {
  id: string;
  /** Canonical bounds: a single address or a CIDR block is stored as the range it covers. */
  from: string;
  to: string;
  /** What the manager typed. */
  input: string;
  family: IpFamily;
  openToAll: boolean;
  createdAt: Date;
}

export interface IpWhitelistView {
  items: IpWhitelistEntryView[];
  /** Some entry spans a whole address family: the whitelist no longer restricts that family. */
  openToAll: boolean;
}

const streamOf = (affiliateId: string) => `affiliate-${affiliateId}`;

function entriesQuery(deps: CommandDeps, affiliateId: string) {
  return deps.storage.db
    .selectFrom('ip_whitelist')
    .select(['id', 'from_ip', 'to_ip', 'input', 'family', 'open_to_all', 'created_at'])
    .where('affiliate_id', '=', affiliateId);
}

function toView(r: { id: string; from_ip: string; to_ip: string; input: string; family: IpFamily; open_to_all: boolean; created_at: Date }): IpWhitelistEntryView {
  return { id: r.id, from: r.from_ip, to: r.to_ip, input: r.input, family: r.family, openToAll: r.open_to_all, createdAt: r.created_at };
}

export async function listIpWhitelist(deps: CommandDeps, affiliateId: string): Promise<IpWhitelistView> {
  await getAffiliate(deps, affiliateId);
  const rows = await entriesQuery(deps, affiliateId).orderBy('created_at').orderBy('id').execute();
  const items = rows.map(toView);
  return { items, openToAll: items.some((i) => i.openToAll) };
}

async function getEntry(deps: CommandDeps, affiliateId: string, entryId: string): Promise<IpWhitelistEntryView> {
  const row = await entriesQuery(deps, affiliateId).where('id', '=', entryId).executeTakeFirst();
  if (!row) throw errors.notFound('IP whitelist entry');
  return toView(row);
}

/** Adds one address, a From–To range or a CIDR block; a bad one is a 400 naming `from` or `to`. */
export async function addIpWhitelistEntry(
  deps: CommandDeps,
  affiliateId: string,
  input: { from: string; to?: string | null },
  meta: Meta,
): Promise<IpWhitelistEntryView> {
  await getAffiliate(deps, affiliateId);
  const parsed = parseIpRange(input.from, input.to);
  if (!parsed.ok) throw errors.validation(parsed.field, `${parsed.field}: ${parsed.message}`);
  const entryId = newId('ip');
  const typed = input.to?.trim() ? `${input.from.trim()} - ${input.to.trim()}` : input.from.trim();
  await deps.store.append(
    streamOf(affiliateId),
    [event('IpWhitelistEntryAdded', { entryId, affiliateId, ...parsed.range, input: typed })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getEntry(deps, affiliateId, entryId);
}

export async function removeIpWhitelistEntry(deps: CommandDeps, affiliateId: string, entryId: string, meta: Meta): Promise<void> {
  await getAffiliate(deps, affiliateId);
  await getEntry(deps, affiliateId, entryId);
  await deps.store.append(
    streamOf(affiliateId),
    [event('IpWhitelistEntryRemoved', { entryId, affiliateId })],
    { expectedVersion: 'any', metadata: meta },
  );
}
