import { useEffect, type ReactNode } from 'react';
import { Layout, PageHeader } from './components/Layout';
import { ErrorNotice, Loading } from './components/Status';
import { Link, match, navigate, useLocation } from './lib/router';
import { AffiliatePage } from './pages/affiliates/AffiliatePage';
import { AffiliatesPage } from './pages/affiliates/AffiliatesPage';
import { LoginPage } from './pages/LoginPage';
import { PortalPage } from './pages/portal/PortalPage';
import { IntegrationFormPage } from './pages/products/IntegrationFormPage';
import { ProductPage } from './pages/products/ProductPage';
import { ProductsPage } from './pages/products/ProductsPage';
import { LeadsReportPage } from './pages/reports/LeadsReportPage';
import { LeadTimelinePage } from './pages/reports/LeadTimelinePage';
import { useSession } from './session';

type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

const EMPLOYEE_ROUTES: Route[] = [
  ['/products', () => <ProductsPage />],
  ['/products/:id', (p) => <ProductPage productId={p.id!} tab="details" />],
  ['/products/:id/integrations', (p) => <ProductPage productId={p.id!} tab="integrations" />],
  ['/products/:id/integrations/new', (p) => <IntegrationFormPage productId={p.id!} />],
  ['/products/:id/integrations/:integrationId', (p) => <IntegrationFormPage productId={p.id!} integrationId={p.integrationId!} />],
  ['/affiliates', () => <AffiliatesPage />],
  ['/affiliates/:id', (p) => <AffiliatePage affiliateId={p.id!} tab="summary" />],
  ['/affiliates/:id/:tab', (p) => <AffiliatePage affiliateId={p.id!} tab={p.tab!} />],
  ['/reports/leads', () => <LeadsReportPage />],
  ['/leads/:id', (p) => <LeadTimelinePage leadId={p.id!} />],
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** Only a path on this site: `//evil.example` or `https://…` would leave it. */
function safeNext(next: string | null): string | undefined {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : undefined;
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        Nothing lives at this address. <Link to="/">Back to the start</Link>.
      </p>
    </>
  );
}

export function App() {
  const { state, retry } = useSession();
  const { path, query } = useLocation();

  if (state.status === 'loading') return <Loading label="Starting the console…" />;
  if (state.status === 'error') {
    return (
      <main className="login" id="main">
        <ErrorNotice error={state.error} onRetry={retry} what="The console could not reach the server" />
      </main>
    );
  }
  if (state.status === 'anonymous') {
    if (path !== '/login') {
      const back = new URLSearchParams({ next: path + window.location.search });
      if (state.expired) back.set('expired', '1');
      return <Redirect to={`/login?${back.toString()}`} />;
    }
    return <LoginPage expired={state.expired || query.has('expired')} />;
  }

  const home = state.me.role === 'affiliate' ? '/portal' : '/products';
  if (path === '/') return <Redirect to={home} />;
  if (path === '/login') return <Redirect to={safeNext(query.get('next')) ?? home} />;
  if (state.me.role === 'affiliate') {
    return <Layout>{path === '/portal' ? <PortalPage me={state.me} /> : <Redirect to="/portal" />}</Layout>;
  }
  for (const [pattern, render] of EMPLOYEE_ROUTES) {
    const params = match(pattern, path);
    if (params) return <Layout>{render(params)}</Layout>;
  }
  return (
    <Layout>
      <NotFound />
    </Layout>
  );
}
