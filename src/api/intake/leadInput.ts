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
