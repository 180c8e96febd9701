import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { LeadBody, parseLeadBody } from '../../src/api/intake/leadInput.js';
import { LeadBodies } from '../../bench/leadBodies.js';

const OPTIONAL_TEXT = ['campaignId', 'productId', 'phone', 'language', 'ip', 'clickId', 'sub1', 'sub5', 'sub10', 'utm_source', 'utm_medium', 'utm_campaign', 'comment'];

/** Values each field gets in turn: the edges of every check LeadBody makes. */
const EDGES: Record<string, unknown[]> = {
  text: [undefined, null, '', '   ', ' padded ', 'x'.repeat(20), 'x'.repeat(21), 'x'.repeat(40), 'x'.repeat(41), 'x'.repeat(100), ' '.repeat(3) + 'x'.repeat(100), 'x'.repeat(101), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(1000), 'x'.repeat(1001), 7, true, {}, ['a']],
  firstName: [undefined, null, '', '  ', ' Ana ', 'Zoë', 'x'.repeat(100), 'x'.repeat(101), 5],
  email: [undefined, null, '', 'ana@example.com', ' Ana.Silva@Example.COM ', 'ana@example', 'ana@@example.com', 'ana..x@example.com', '.ana@example.com', 'ana.@example.com', 'ana@-example.com', 'ana@example.c', 'ana+tag@example.co.uk', "o'brien@example.ie", 'jöse@example.com', 'ana@exämple.com', `${'a'.repeat(64)}@example.com`, `${'a'.repeat(250)}@example.com`, 'a b@example.com', 42],
  country: [undefined, null, '', 'pt', ' de ', 'PT', 'XX', 'GBR', 'U', 'uk', 'gb', 3],
  phone: [undefined, null, '', '+351 912 345 678', '912345678', '+49 1512 3456789', '123', '+1 202-555-0143', 'phone', '+351 912 345 678 999 999', '00351912345678'],
  ip: [undefined, null, '', '203.0.113.7', ' 203.0.113.7 ', '2001:db8::1', '999.1.1.1', '203.0.113', 'localhost', '::ffff:203.0.113.7'],
  password: [undefined, null, '', ' ', 'secret', 'x'.repeat(128), 'x'.repeat(129), 12345],
  test: [undefined, null, true, false, 'true', 1, 0],
};

function expectSameAsZod(body: Record<string, unknown>): void {
  const fast = parseLeadBody(body);
  const zod = LeadBody.safeParse(body);
  expect(fast.success, JSON.stringify(body)).toBe(zod.success);
  if (fast.success && zod.success) {
    expect(fast.data, JSON.stringify(body)).toStrictEqual(zod.data);
    // Key order too: the lead goes into LeadReceived as it comes out.
    expect(Object.keys(fast.data)).toEqual(Object.keys(zod.data));
  } else {
    expect(fast.error?.issues).toEqual(zod.error?.issues);
  }
}

describe('parseLeadBody: LeadBody written out for the hot path', () => {
  const base = () => new LeadBodies('c_test').next();

  it('gives what LeadBody gives for realistic bodies, without asking zod', () => {
    const bodies = new LeadBodies('c_test');
    const spy = vi.spyOn(LeadBody, 'safeParse');
    const fast = Array.from({ length: 200 }, () => bodies.next()).map((body) => ({ body, result: parseLeadBody(body) }));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    for (const { body, result } of fast) {
      expect(result.success).toBe(true);
      expect(result.data).toStrictEqual(LeadBody.parse(body));
    }
  });

  it('agrees with LeadBody at the edge of every check, field by field', () => {
    for (const key of OPTIONAL_TEXT) for (const value of EDGES.text!) expectSameAsZod({ ...base(), [key]: value });
    for (const key of ['firstName', 'lastName']) for (const value of EDGES.firstName!) expectSameAsZod({ ...base(), [key]: value });
    for (const key of ['email', 'country', 'phone', 'ip', 'password', 'test']) for (const value of EDGES[key]!) expectSameAsZod({ ...base(), [key]: value });
    // A national number is read for the lead's country; an absent field stays absent, an empty one is kept as undefined.
    expectSameAsZod({ ...base(), country: 'de', phone: '01512 3456789' });
    const minimal = { campaignId: 'c_1', firstName: 'Ana', lastName: 'Silva', email: 'ana@example.com', country: 'PT' };
    expectSameAsZod(minimal);
    expectSameAsZod({ ...minimal, sub1: '', sub2: null, comment: '  ', unknown: 'dropped' });
  });

  it('agrees with LeadBody on arbitrary bodies', () => {
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', ' ', 'PT', 'de', '+351 912 345 678', 'ana@example.com', '203.0.113.7'), fc.constant(null), fc.integer(), fc.boolean());
    const fields = [...OPTIONAL_TEXT, 'firstName', 'lastName', 'email', 'country', 'password', 'test'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 8 }), (changes) => expectSameAsZod({ ...base(), ...changes })),
      { numRuns: 2000 },
    );
  });
});
