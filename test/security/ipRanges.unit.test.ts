import { describe, expect, it } from 'vitest';
import { ipAllowed, parseIpRange, type IpRange } from '../../src/security/ipRanges.js';

function range(from: string, to?: string): IpRange {
  const result = parseIpRange(from, to);
  if (!result.ok) throw new Error(`${from} ${to ?? ''}: ${result.field} ${result.message}`);
  return result.range;
}

function entry(from: string, to?: string) {
  const r = range(from, to);
  return { from_ip: r.from, to_ip: r.to, family: r.family };
}

describe('parsing whitelist entries', () => {
  it('reads a single address as a range of one, in canonical form', () => {
    expect(range('203.0.113.7')).toEqual({ from: '203.0.113.7', to: '203.0.113.7', family: 4, openToAll: false });
    expect(range(' 2001:DB8:0:0::1 ')).toEqual({ from: '2001:db8::1', to: '2001:db8::1', family: 6, openToAll: false });
  });

  it('reads CIDR blocks as the range they cover, ignoring host bits', () => {
    expect(range('10.1.2.3/8')).toMatchObject({ from: '10.0.0.0', to: '10.255.255.255', family: 4 });
    expect(range('2001:db8::/32')).toMatchObject({ from: '2001:db8::', to: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', family: 6 });
    expect(range('192.0.2.9/32')).toMatchObject({ from: '192.0.2.9', to: '192.0.2.9' });
  });

  it('reads From–To ranges of either family', () => {
    expect(range('192.0.2.10', '192.0.2.20')).toMatchObject({ from: '192.0.2.10', to: '192.0.2.20', family: 4 });
    expect(range('2001:db8::1', '2001:db8::ff')).toMatchObject({ from: '2001:db8::1', to: '2001:db8::ff', family: 6 });
  });

  it('counts IPv4-mapped IPv6 addresses and blocks as their IPv4 form', () => {
    expect(range('::ffff:1.2.3.4')).toEqual({ from: '1.2.3.4', to: '1.2.3.4', family: 4, openToAll: false });
    expect(range('::ffff:10.0.0.0/104')).toMatchObject({ from: '10.0.0.0', to: '10.255.255.255', family: 4 });
    expect(range('::ffff:1.2.3.4', '1.2.3.9')).toMatchObject({ from: '1.2.3.4', to: '1.2.3.9', family: 4 });
  });

  it.each([
    ['0.0.0.0', '255.255.255.255'],
    ['0.0.0.0/0', undefined],
    ['::/0', undefined],
    ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('flags %s %s as open to all', (from, to) => {
    expect(range(from, to).openToAll).toBe(true);
  });

  it.each([
    ['from', 'not-an-ip', undefined],
    ['from', '10.1', undefined],
    ['from', '256.0.0.1', undefined],
    ['from', '10.0.0.0/33', undefined],
    ['from', '2001:db8::/129', undefined],
    ['from', 'fe80::1%eth0', undefined],
    ['to', '10.0.0.0/8', '10.0.0.9'],
    ['to', '10.0.0.1', 'nope'],
    ['to', '10.0.0.1', '2001:db8::1'],
    ['to', '2001:db8::1', '10.0.0.1'],
    ['to', '10.0.0.9', '10.0.0.1'],
    ['to', '2001:db8::2', '2001:db8::1'],
  ])('refuses a bad %s (%s – %s)', (field, from, to) => {
    const result = parseIpRange(from, to);
    expect(result).toMatchObject({ ok: false, field });
  });

  it('treats an empty `to` as absent', () => {
    expect(range('192.0.2.1', '')).toMatchObject({ from: '192.0.2.1', to: '192.0.2.1' });
  });
});

describe('ipAllowed', () => {
  it('allows nothing with an empty list', () => {
    expect(ipAllowed('203.0.113.7', [])).toBe(false);
    expect(ipAllowed('::1', [])).toBe(false);
  });

  it('matches single IPv4 and IPv6 addresses exactly', () => {
    const entries = [entry('203.0.113.7'), entry('2001:db8::7')];
    expect(ipAllowed('203.0.113.7', entries)).toBe(true);
    expect(ipAllowed('203.0.113.8', entries)).toBe(false);
    expect(ipAllowed('2001:0db8:0000::0007', entries)).toBe(true);
    expect(ipAllowed('2001:db8::8', entries)).toBe(false);
  });

  it('includes both bounds of a From–To range and nothing beyond', () => {
    const v4 = [entry('192.0.2.10', '192.0.2.20')];
    expect(['192.0.2.10', '192.0.2.15', '192.0.2.20'].map((ip) => ipAllowed(ip, v4))).toEqual([true, true, true]);
    expect(['192.0.2.9', '192.0.2.21', '192.0.3.15'].map((ip) => ipAllowed(ip, v4))).toEqual([false, false, false]);
    const v6 = [entry('2001:db8::10', '2001:db8::20')];
    expect(['2001:db8::10', '2001:db8::1f', '2001:db8::20'].map((ip) => ipAllowed(ip, v6))).toEqual([true, true, true]);
    expect(['2001:db8::f', '2001:db8::21', '2001:db9::10'].map((ip) => ipAllowed(ip, v6))).toEqual([false, false, false]);
  });

  it('includes the first and last address of a CIDR block and nothing beyond', () => {
    const entries = [entry('10.0.0.0/8'), entry('2001:db8::/32')];
    expect(ipAllowed('10.0.0.0', entries)).toBe(true);
    expect(ipAllowed('10.255.255.255', entries)).toBe(true);
    expect(ipAllowed('9.255.255.255', entries)).toBe(false);
    expect(ipAllowed('11.0.0.0', entries)).toBe(false);
    expect(ipAllowed('2001:db8::', entries)).toBe(true);
    expect(ipAllowed('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', entries)).toBe(true);
    expect(ipAllowed('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', entries)).toBe(false);
    expect(ipAllowed('2001:db9::', entries)).toBe(false);
  });

  it('compares numerically, not as text', () => {
    const entries = [entry('10.0.0.2', '10.0.0.10')];
    expect(ipAllowed('10.0.0.9', entries)).toBe(true);
    expect(ipAllowed('10.0.0.100', entries)).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 client as its IPv4 address', () => {
    const entries = [entry('127.0.0.1'), entry('198.51.100.0/24')];
    expect(ipAllowed('::ffff:127.0.0.1', entries)).toBe(true);
    expect(ipAllowed('::ffff:198.51.100.255', entries)).toBe(true);
    expect(ipAllowed('::ffff:198.51.101.0', entries)).toBe(false);
  });

  it('keeps the families apart, except that an IPv6 entry spanning the mapped space covers IPv4 clients', () => {
    expect(ipAllowed('::1', [entry('0.0.0.0/0')])).toBe(false);
    expect(ipAllowed('203.0.113.7', [entry('2001:db8::/32')])).toBe(false);
    expect(ipAllowed('203.0.113.7', [entry('::/0')])).toBe(true);
    expect(ipAllowed('2001:db8::1', [entry('::/0')])).toBe(true);
  });

  it('allows nothing for a client address that does not parse', () => {
    expect(ipAllowed('not-an-ip', [entry('0.0.0.0/0'), entry('::/0')])).toBe(false);
    expect(ipAllowed('', [entry('0.0.0.0/0')])).toBe(false);
  });

  it('answers a client again from memory, and a changed whitelist (a new list) afresh', () => {
    const before = [entry('203.0.113.0/24')];
    for (let i = 0; i < 3; i++) {
      expect(ipAllowed('203.0.113.9', before)).toBe(true);
      expect(ipAllowed('198.51.100.9', before)).toBe(false);
    }
    const after = [entry('198.51.100.0/24')];
    expect(ipAllowed('203.0.113.9', after)).toBe(false);
    expect(ipAllowed('198.51.100.9', after)).toBe(true);
    expect(ipAllowed('203.0.113.9', before)).toBe(true);
  });

  it('keeps answering correctly past the number of clients it remembers per list', () => {
    const entries = [entry('10.0.0.0/8')];
    for (let i = 0; i < 12_000; i++) {
      const ip = `10.${(i >> 8) & 255}.${i & 255}.1`;
      expect(ipAllowed(ip, entries)).toBe(true);
      expect(ipAllowed(`11.${(i >> 8) & 255}.${i & 255}.1`, entries)).toBe(false);
    }
    expect(ipAllowed('10.0.0.1', entries)).toBe(true);
  });
});
