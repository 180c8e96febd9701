/** Every value a request template may name as {{…}}; `params.<name>` comes from the affiliate's integration settings. */
export const LEAD_PLACEHOLDERS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'country',
  'language',
  'ip',
  'password',
  'clickId',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'sub6',
  'sub7',
  'sub8',
  'sub9',
  'sub10',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'comment',
] as const;

export const CONTEXT_PLACEHOLDERS = ['affiliateId', 'campaignId', 'productId', 'leadId'] as const;

const KNOWN = new Set<string>([...LEAD_PLACEHOLDERS, ...CONTEXT_PLACEHOLDERS]);
export const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

export function isKnownPlaceholder(name: string): boolean {
  return KNOWN.has(name) || /^params\.[\w-]{1,64}$/.test(name);
}

/** The placeholders a string names that leadgate does not know. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !isKnownPlaceholder(name));
}
