import { PageHeader } from '../../components/Layout';
import { withQuery } from '../../api/client';
import { navigate, useLocation } from '../../lib/router';
import { useAffiliates, useProducts } from '../../lib/useNamed';
import { filtersFrom, filtersQuery } from './filters';
import { FiltersForm } from './FiltersForm';
import { LeadsReport } from './LeadsReport';

/** Reports > Leads via API, for managers: every affiliate's leads. */
export function LeadsReportPage() {
  const { query } = useLocation();
  const filters = filtersFrom(query);
  const affiliates = useAffiliates();
  const products = useProducts();
  const key = JSON.stringify(filters);
  return (
    <>
      <PageHeader title="Leads via API" crumbs={[{ label: 'Reports' }]} />
      <FiltersForm key={key} value={filters} affiliates={affiliates.items ?? []} products={products.items ?? []} onApply={(f) => navigate(withQuery('/reports/leads', filtersQuery(f)))} />
      <LeadsReport key={key} base="/api/admin/reports" filters={filters} affiliateName={affiliates.nameOf} timeline />
    </>
  );
}
