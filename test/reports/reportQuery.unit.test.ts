import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/api/errors.js';
import { validate } from '../../src/api/validate.js';
import { decodeCursor, encodeCursor } from '../../src/reports/cursor.js';
import { LeadsQuery, presentParams, SummaryQuery } from '../../src/reports/reportQuery.js';
import { dayBounds } from '../../src/reports/summaryQuery.js';

function codeOf(query: Record<string, string>): string | undefined {
  try {
    validate(LeadsQuery, presentParams(query));
    return undefined;
  } catch (err) {
    return (err as AppError).code;
  }
}

describe('report query parameters', () => {
  it('defaults to 100 rows, JSON, test leads left out', () => {
    expect(validate(LeadsQuery, {})).toEqual({ limit: 100, format: 'json', includeTest: false });
  });

  it('reads dates and timestamps as UTC, an offset honoured', () => {
    const q = validate(LeadsQuery, { from: '2026-11-23', to: '2026-11-24T10:30:00' });
    expect(q.from?.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(q.to?.toISOString()).toBe('2026-11-24T10:30:00.000Z');
    expect(validate(LeadsQuery, { from: '2026-11-23T10:00:00+02:00' }).from?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });

  it('upper-cases the country and reads includeTest and limit', () => {
    expect(validate(LeadsQuery, { country: 'pt', includeTest: 'true', limit: '2' })).toMatchObject({ country: 'PT', includeTest: true, limit: 2 });
  });

  it('answers validation.<param> for each bad value', () => {
    expect(codeOf({ from: 'yesterday' })).toBe('validation.from');
    expect(codeOf({ to: '2026-13-01' })).toBe('validation.to');
    expect(codeOf({ limit: '0' })).toBe('validation.limit');
    expect(codeOf({ limit: '1001' })).toBe('validation.limit');
    expect(codeOf({ limit: 'ten' })).toBe('validation.limit');
    expect(codeOf({ status: 'lost' })).toBe('validation.status');
    expect(codeOf({ country: 'Portugal' })).toBe('validation.country');
    expect(codeOf({ includeTest: 'yes' })).toBe('validation.includeTest');
    expect(codeOf({ format: 'xlsx' })).toBe('validation.format');
    expect(codeOf({ cursor: 'not-a-cursor' })).toBe('validation.cursor');
    expect(codeOf({ cursor: Buffer.from('{"t":1}').toString('base64url') })).toBe('validation.cursor');
    expect(codeOf({ cursor: Buffer.from('["2026-11-23T00:00:00.000Z"]').toString('base64url') })).toBe('validation.cursor');
  });

  it('takes an empty parameter as absent', () => {
    expect(codeOf({ country: '', status: '', cursor: '' })).toBeUndefined();
  });

  it('round-trips a cursor, opaque base64url', () => {
    const position = { receivedAt: new Date('2026-11-23T10:00:00.123Z'), leadId: 'ld_abc' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
    expect(validate(LeadsQuery, { cursor }).cursor).toEqual(position);
  });

  it('ignores status and email on the summary, and groups by day unless told', () => {
    expect(validate(SummaryQuery, { status: 'pending', email: 'a@b.c' })).toEqual({ groupBy: 'day', format: 'json', includeTest: false });
    expect(() => validate(SummaryQuery, { groupBy: 'hour' })).toThrow(expect.objectContaining({ code: 'validation.groupBy' }));
  });
});

describe('summary day bounds', () => {
  it('counts a day whole when the range touches any part of it', () => {
    expect(dayBounds(new Date('2026-11-23T00:00:00Z'), new Date('2026-11-25T00:00:00Z'))).toEqual({ fromDay: '2026-11-23', toDay: '2026-11-25' });
    expect(dayBounds(new Date('2026-11-23T12:00:00Z'), new Date('2026-11-25T06:00:00Z'))).toEqual({ fromDay: '2026-11-23', toDay: '2026-11-26' });
    expect(dayBounds()).toEqual({ fromDay: undefined, toDay: undefined });
  });
});
