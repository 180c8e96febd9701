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

/** Every placeholder named anywhere in a value: a string, or the strings of a JSON template. */
export function placeholdersIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PLACEHOLDER)) found.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) placeholdersIn(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) placeholdersIn(v, found);
  return found;
}
