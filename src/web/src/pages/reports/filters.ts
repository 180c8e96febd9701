import { addDays, utcDay } from '../../lib/format';

/** The report's filters as the URL carries them; `to` is the last day shown (the API's `to` is exclusive). */
export interface ReportFilters {
  from: string;
  to: string;
  affiliateId: string;
  productId: string;
  campaignId: string;
  country: string;
  status: string;
  email: string;
  includeTest: boolean;
}

export const STATUSES = ['pending', 'delivered', 'rejected', 'failed', 'refused', 'duplicate'];

export function filtersFrom(query: URLSearchParams): ReportFilters {
  const get = (k: string) => query.get(k) ?? '';
  return {
    from: get('from') || utcDay(-6),
    to: get('to') || utcDay(0),
    affiliateId: get('affiliateId'),
    productId: get('productId'),
    campaignId: get('campaignId'),
    country: get('country'),
    status: get('status'),
    email: get('email'),
    includeTest: query.get('includeTest') === 'true',
  };
}

/** For the page's own URL. */
export function filtersQuery(f: ReportFilters): Record<string, string | undefined> {
  return { ...f, includeTest: f.includeTest ? 'true' : undefined };
}

/** For the API: `to` becomes the exclusive next day. */
export function apiQuery(f: ReportFilters, withAffiliate: boolean): Record<string, string | undefined> {
  return {
    from: f.from,
    to: f.to ? addDays(f.to, 1) : undefined,
    affiliateId: withAffiliate ? f.affiliateId : undefined,
    productId: f.productId,
    campaignId: f.campaignId,
    country: f.country.toUpperCase(),
    status: f.status,
    email: f.email,
    includeTest: f.includeTest ? 'true' : undefined,
  };
}
