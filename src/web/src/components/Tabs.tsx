import { Link } from '../lib/router';

export interface Tab {
  id: string;
  label: string;
  to: string;
}

/** Tabs as links: each tab has its own URL, and Tab / Enter move between them like any link. */
export function Tabs({ tabs, current, label }: { tabs: Tab[]; current: string; label: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((tab) => (
        <Link key={tab.id} to={tab.to} className={tab.id === current ? 'tab tab-current' : 'tab'} aria-current={tab.id === current ? 'page' : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
