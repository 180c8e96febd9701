import ipaddr from 'ipaddr.js';
import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

const COUNTRIES = new Set<string>(getCountries());

/** Affiliates often send null for what they do not have: null reads as absent. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => (v === null || v === '' ? undefined : v));

const SUBS = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sub${i + 1}`, optionalText(255)])) as Record<
  `sub${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`,
  ReturnType<typeof optionalText>
>;

/**
 * The lead an affiliate sends (API.md, POST /api/v1/leads), validated and normalised:
 * country upper-cased and checked against ISO 3166-1, phone turned into E.164.
 */
export const LeadBody = z
  .object({
    campaignId: optionalText(100),
    productId: optionalText(100),
    firstName: z.string().trim().min(1, 'is required').max(100),
    lastName: z.string().trim().min(1, 'is required').max(100),
    email: z.string().trim().max(254).pipe(z.email('must be an email address')),
    country: z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .refine((c) => COUNTRIES.has(c), 'must be an ISO 3166-1 alpha-2 country code'),
    phone: optionalText(40),
    language: optionalText(20),
    ip: optionalText(45).refine((v) => v === undefined || ipaddr.isValid(v), 'must be an IPv4 or IPv6 address'),
    password: z.string().min(1).max(128).nullish().transform((v) => v ?? undefined),
    clickId: optionalText(255),
    ...SUBS,
    utm_source: optionalText(255),
    utm_medium: optionalText(255),
    utm_campaign: optionalText(255),
    comment: optionalText(1000),
    test: z.boolean().nullish().transform((v) => v ?? false),
  })
  .transform((lead, ctx) => {
    if (lead.phone === undefined) return lead;
    const parsed = parsePhoneNumberFromString(lead.phone, lead.country as CountryCode);
    if (!parsed || !parsed.isPossible()) {
      ctx.addIssue({ code: 'custom', path: ['phone'], message: 'must be a phone number (international format, or national for the lead\'s country)' });
      return z.NEVER;
    }
    return { ...lead, phone: parsed.number };
  });

export type LeadBody = z.infer<typeof LeadBody>;

/** The campaign or product a body names, read before full validation so a refusal can name them. */
export function targetOf(body: unknown): { campaignId?: string; productId?: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  return { campaignId: str(b.campaignId), productId: str(b.productId) };
}

type FieldKind = 'text' | 'name' | 'email' | 'country' | 'password' | 'test';

/** How the fast path below checks each of LeadBody's fields, and its maximum length. */
const FIELD_RULES: Record<string, readonly [FieldKind, number]> = {
  campaignId: ['text', 100],
  productId: ['text', 100],
  firstName: ['name', 100],
  lastName: ['name', 100],
  email: ['email', 254],
  country: ['country', 2],
  phone: ['text', 40],
  language: ['text', 20],
  ip: ['text', 45],
  password: ['password', 128],
  clickId: ['text', 255],
  ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sub${i + 1}`, ['text', 255] as const])),
  utm_source: ['text', 255],
  utm_medium: ['text', 255],
  utm_campaign: ['text', 255],
  comment: ['text', 1000],
  test: ['test', 0],
};

/** LeadBody's fields in its shape's order (zod's output order); a field without a rule fails here, at load. */
const FIELDS = Object.keys(LeadBody.in.shape).map((key) => {
  const rule = FIELD_RULES[key];
  if (!rule) throw new Error(`parseLeadBody has no rule for LeadBody's field ${key}`);
  return [key, ...rule] as const;
});

/** What LeadBody keeps of one field, or FAIL when anything is off (LeadBody then says what). */
const FAIL = Symbol('fail');

function fieldValue(kind: FieldKind, max: number, value: unknown): unknown {
  if (kind === 'test') return value === undefined || value === null ? false : typeof value === 'boolean' ? value : FAIL;
  if (value === undefined || value === null) return kind === 'text' || kind === 'password' ? undefined : FAIL;
  if (typeof value !== 'string') return FAIL;
  if (kind === 'password') return value.length >= 1 && value.length <= max ? value : FAIL;
  const text = value.trim();
  switch (kind) {
    case 'text':
      return text.length > max ? FAIL : text === '' ? undefined : text;
    case 'name':
      return text.length >= 1 && text.length <= max ? text : FAIL;
    case 'email':
      return text.length <= max && z.regexes.email.test(text) ? text : FAIL;
    case 'country': {
      const upper = text.toUpperCase();
      return COUNTRIES.has(upper) ? upper : FAIL;
    }
  }
}

/**
 * LeadBody's checks and normalisation written out, for the valid body nearly every request
 * brings: a third of a lead's zod time otherwise (~30 µs, zod's code being shared by many
 * schemas). Anything it does not pass plainly goes to LeadBody, which has the last word and
 * the error messages; the two give equal results (test/api/leadInput.unit.test.ts).
 */
export function parseLeadBody(body: Record<string, unknown>): ReturnType<typeof LeadBody.safeParse> {
  const lead: Record<string, unknown> = {};
  for (const [key, kind, max] of FIELDS) {
    const present = Object.hasOwn(body, key);
    const value = fieldValue(kind, max, present ? body[key] : undefined);
    if (value === FAIL) return LeadBody.safeParse(body);
    // As zod does: an absent optional field stays absent, a present one is kept even when empty.
    if (present || value !== undefined) lead[key] = value;
  }
  if (lead.ip !== undefined && !ipaddr.isValid(lead.ip as string)) return LeadBody.safeParse(body);
  if (lead.phone !== undefined) {
    const parsed = parsePhoneNumberFromString(lead.phone as string, lead.country as CountryCode);
    if (!parsed || !parsed.isPossible()) return LeadBody.safeParse(body);
    lead.phone = parsed.number;
  }
  return { success: true, data: lead as LeadBody };
}
