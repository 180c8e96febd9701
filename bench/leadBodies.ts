import { randomBytes } from 'node:crypto';

const FIRST = ['Ana', 'João', 'Maria', 'Lukas', 'Sofia', 'Mateo', 'Emma', 'Noah', 'Chloé', 'Yusuf', 'Aiko', 'Olga'];
const LAST = ['Silva', 'Müller', 'García', 'Rossi', 'Dubois', 'Kowalski', 'Yılmaz', 'Novak', 'Santos', 'Jensen'];
const COUNTRIES: [country: string, phone: string, language: string][] = [
  ['PT', '+351 912 345 ', 'pt'],
  ['DE', '+49 1512 3456 ', 'de'],
  ['ES', '+34 612 345 ', 'es'],
  ['IT', '+39 312 3456 ', 'it'],
  ['FR', '+33 6 12 345 ', 'fr'],
  ['PL', '+48 512 345 ', 'pl'],
];

/**
 * Lead bodies as an affiliate's server sends them (about 400 bytes of JSON), each with an email
 * no other body of this bench run has, so none is refused as a duplicate.
 */
export class LeadBodies {
  private n = 0;
  private readonly run = randomBytes(4).toString('hex');

  constructor(private readonly campaignId: string) {}

  next(): Record<string, unknown> {
    const n = ++this.n;
    const [country, phone, language] = COUNTRIES[n % COUNTRIES.length]!;
    const firstName = FIRST[n % FIRST.length]!;
    const lastName = LAST[(n >> 3) % LAST.length]!;
    return {
      campaignId: this.campaignId,
      firstName,
      lastName,
      email: `${firstName.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${lastName.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${this.run}.${n}@example.com`,
      phone: `${phone}${String(n % 1000).padStart(3, '0')}`,
      country,
      language,
      ip: `203.0.113.${n % 254 + 1}`,
      clickId: `clk-${this.run}-${n}`,
      sub1: 'spring-promo',
      sub2: 'banner-728x90',
      sub3: `src-${n % 17}`,
      utm_source: 'affiliate',
      utm_medium: 'cpa',
      utm_campaign: 'q2-forex',
    };
  }

  json(): string {
    return JSON.stringify(this.next());
  }
}
