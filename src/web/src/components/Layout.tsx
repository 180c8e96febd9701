import type { ReactNode } from 'react';
import { Link, useLocation } from '../lib/router';
import { useMe, useSession } from '../session';

const EMPLOYEE_NAV = [
  { to: '/products', label: 'Products', section: 'Advertisers & Products' },
  { to: '/affiliates', label: 'Affiliates', section: 'Affiliate Management' },
  { to: '/reports/leads', label: 'Leads via API', section: 'Reports' },
];

export function Layout({ children }: { children: ReactNode }) {
  const me = useMe();
  const { logout } = useSession();
  const { path } = useLocation();
  const nav = me.role === 'affiliate' ? [{ to: '/portal', label: 'My leads', section: 'Affiliate portal' }] : EMPLOYEE_NAV;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={nav[0]!.to} className="brand">
          <span className="brand-mark" aria-hidden="true">
            lg
          </span>
          leadgate
        </Link>
        <nav className="mainnav" aria-label="Main">
          {nav.map((item) => {
            const current = path === item.to || path.startsWith(`${item.to}/`) || (item.to === '/reports/leads' && path.startsWith('/leads/'));
            return (
              <Link key={item.to} to={item.to} className={current ? 'navlink navlink-current' : 'navlink'} aria-current={current ? 'page' : undefined}>
                <span className="navlink-section">{item.section}</span>
                <span>{item.label}</span>
              </Link>
            );
          })}
        </nav>
        <div className="whoami">
          <span className="whoami-email" title={me.email}>
            {me.email}
          </span>
          <span className="badge badge-other">{me.role}</span>
          <button type="button" className="btn btn-small" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, crumbs, actions }: { title: ReactNode; crumbs?: { to?: string; label: string }[]; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        {crumbs?.length ? (
          <nav className="crumbs" aria-label="Breadcrumb">
            {crumbs.map((c, i) => (
              <span key={i}>
                {c.to ? <Link to={c.to}>{c.label}</Link> : c.label}
                <span aria-hidden="true"> › </span>
              </span>
            ))}
          </nav>
        ) : null}
        <h1>{title}</h1>
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
