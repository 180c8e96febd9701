/** The "API Integration" mark on products that have one: a plug. */
export function ApiIntegrationIcon({ title = 'Has an API integration' }: { title?: string }) {
  return (
    <svg className="icon icon-api" viewBox="0 0 24 24" width="20" height="20" role="img" aria-label={title}>
      <title>{title}</title>
      <path d="M7 3v5M17 3v5M5 8h14v3a7 7 0 0 1-14 0V8zM12 18v3" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function TrashIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
