import ipaddr from 'ipaddr.js';

/**
 * IP whitelist ranges: parsing what a manager types (one address, a From–To range, a CIDR
 * block; IPv4 or IPv6) into canonical bounds, and the membership test intake runs. ipaddr.js
 * does the parsing; only the ordering of byte arrays is ours.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type IpFamily = 4 | 6;

export interface IpRange {
  from: string;
  to: string;
  family: IpFamily;
  /** The whole address space of its family: every client of that family is allowed. */
  openToAll: boolean;
}

export type IpRangeResult = { ok: true; range: IpRange } | { ok: false; field: 'from' | 'to'; message: string };

/** A stored whitelist entry, as intake reads it from `ip_whitelist`. */
export interface WhitelistBounds {
  from_ip: string;
  to_ip: string;
  family: number;
}

/**
 * Dotted-quad IPv4 only: ipaddr.js would also read `10.1` or `0x0a.1.2.3`, shorthand a person
 * rarely means in an allow list. Zone ids (`fe80::1%eth0`) are refused: they name an
 * interface of one host, not an address anyone connects from.
 */
function parseExact(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const address = ipaddr.IPv6.parse(text);
  return address.zoneId === undefined ? address : undefined;
}

/** An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) counts as its IPv4 form. */
function unmapped(address: Address): Address {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/** A client or entry address, strictly parsed and with IPv4-mapped IPv6 as IPv4; undefined when not an address. */
export function parseAddress(text: string): Address | undefined {
  const address = parseExact(text.trim());
  return address && unmapped(address);
}

function parseCidr(text: string): { first: Address; last: Address } | undefined {
  let block: [Address, number];
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) block = ipaddr.IPv4.parseCIDR(text);
  else if (ipaddr.IPv6.isValidCIDR(text)) block = ipaddr.IPv6.parseCIDR(text);
  else return undefined;
  let [address, bits] = block;
  if (address instanceof ipaddr.IPv6) {
    if (address.zoneId !== undefined) return undefined;
    // ::ffff:10.0.0.0/104 is 10.0.0.0/8; a shorter prefix reaches past the mapped space and stays IPv6.
    if (address.isIPv4MappedAddress() && bits >= 96) [address, bits] = [address.toIPv4Address(), bits - 96];
  }
  const family = address instanceof ipaddr.IPv4 ? ipaddr.IPv4 : ipaddr.IPv6;
  const cidr = `${address.toString()}/${bits}`;
  return { first: family.networkAddressFromCIDR(cidr), last: family.broadcastAddressFromCIDR(cidr) };
}

function compareBytes(a: Address, b: Address): number {
  const x = a.toByteArray();
  const y = b.toByteArray();
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return 0;
}

function canonical(address: Address): string {
  return address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
}

/** Parses a whitelist entry: `from` alone (an address or a CIDR block) or `from`–`to` (two addresses). */
export function parseIpRange(fromText: string, toText?: string | null): IpRangeResult {
  const fromInput = fromText.trim();
  const toInput = toText?.trim() || undefined;
  let first: Address;
  let last: Address;
  if (fromInput.includes('/')) {
    if (toInput !== undefined) return { ok: false, field: 'to', message: 'must be empty when from is a CIDR block' };
    const block = parseCidr(fromInput);
    if (!block) return { ok: false, field: 'from', message: 'not a valid CIDR block' };
    ({ first, last } = block);
  } else {
    const from = parseAddress(fromInput);
    if (!from) return { ok: false, field: 'from', message: 'not a valid IP address or CIDR block' };
    first = last = from;
    if (toInput !== undefined) {
      const to = parseAddress(toInput);
      if (!to) return { ok: false, field: 'to', message: 'not a valid IP address' };
      if (to.kind() !== from.kind()) return { ok: false, field: 'to', message: 'must be the same IP version as from' };
      if (compareBytes(from, to) > 0) return { ok: false, field: 'to', message: 'must not be lower than from' };
      last = to;
    }
  }
  const openToAll = first.toByteArray().every((b) => b === 0) && last.toByteArray().every((b) => b === 255);
  return { ok: true, range: { from: canonical(first), to: canonical(last), family: first.kind() === 'ipv4' ? 4 : 6, openToAll } };
}

/**
 * Whether a client address falls in any entry; an empty list allows nothing. An IPv4 client
 * (or an IPv4-mapped IPv6 one) is also tried in its mapped form against IPv6 entries, so an
 * IPv6 range that spans ::ffff:0:0/96 (such as ::/0) covers it. Stored bounds are read
 * without unmapping: they belong to the family the entry records.
 */
export function ipAllowed(ip: string, entries: readonly WhitelistBounds[]): boolean {
  let byIp = decided.get(entries);
  const known = byIp?.get(ip);
  if (known !== undefined) return known;
  const allowed = decide(ip, entries);
  if (!byIp) decided.set(entries, (byIp = new Map()));
  if (byIp.size >= REMEMBERED_IPS) byIp.clear();
  byIp.set(ip, allowed);
  return allowed;
}

/**
 * Answers already given, per whitelist as intake's cache holds it (a changed whitelist is a
 * new array, and the old one's answers go with it): an affiliate's server sends from a few
 * addresses, so intake parses each entry once instead of on every lead.
 */
const decided = new WeakMap<readonly WhitelistBounds[], Map<string, boolean>>();
const REMEMBERED_IPS = 10_000;

function decide(ip: string, entries: readonly WhitelistBounds[]): boolean {
  const client = parseAddress(ip);
  if (!client) return false;
  const forms = client instanceof ipaddr.IPv4 ? [client, client.toIPv4MappedAddress()] : [client];
  return entries.some((entry) => {
    const from = parseExact(entry.from_ip);
    const to = parseExact(entry.to_ip);
    const kind = entry.family === 4 ? 'ipv4' : 'ipv6';
    if (!from || !to || from.kind() !== kind || to.kind() !== kind) return false;
    return forms.some((c) => c.kind() === kind && compareBytes(from, c) <= 0 && compareBytes(c, to) <= 0);
  });
}
