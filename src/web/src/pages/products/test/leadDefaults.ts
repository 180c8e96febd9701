/** A plausible test lead, different each time, so a test never trips the duplicate check. */

const FIRST = ['Ana', 'João', 'Maria', 'Lucas', 'Sofia', 'Pedro', 'Inês', 'Tiago'];
const LAST = ['Silva', 'Santos', 'Ferreira', 'Pereira', 'Costa', 'Oliveira', 'Martins'];

export interface TestLead {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  country: string;
  language: string;
  ip: string;
  password: string;
  clickId: string;
  sub1: string;
}

export const LEAD_FIELD_LABELS: Record<keyof TestLead, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  phone: 'Phone',
  country: 'Country (ISO code)',
  language: 'Language',
  ip: 'Lead IP',
  password: 'Password (registration CRMs)',
  clickId: 'Click id',
  sub1: 'sub1',
};

const pick = <T,>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

export function generateLead(): TestLead {
  const tag = Math.random().toString(36).slice(2, 8);
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const ascii = (s: string) => s.normalize('NFD').replace(/[^\w]/g, '').toLowerCase();
  return {
    firstName,
    lastName,
    email: `test.${ascii(firstName)}.${ascii(lastName)}.${tag}@example.com`,
    phone: `+35191${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`,
    country: 'PT',
    language: 'pt',
    ip: `203.0.113.${1 + Math.floor(Math.random() * 250)}`,
    password: `Test-${tag}-9x`,
    clickId: `test-click-${tag}`,
    sub1: 'console-test',
  };
}
