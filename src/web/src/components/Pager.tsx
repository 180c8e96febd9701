import { useEffect, useState } from 'react';

export const PAGE_SIZE = 20;

/** Client-side pages over a list the API returns whole. */
export function usePaged<T>(items: readonly T[], pageSize = PAGE_SIZE) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  useEffect(() => {
    if (page > pages - 1) setPage(pages - 1);
  }, [page, pages]);
  const current = Math.min(page, pages - 1);
  return { rows: items.slice(current * pageSize, (current + 1) * pageSize), page: current, pages, setPage, total: items.length };
}

export function Pager({ page, pages, total, setPage }: { page: number; pages: number; total: number; setPage: (p: number) => void }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-small" disabled={page === 0} onClick={() => setPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page + 1} of {pages} <span className="muted">({total} in all)</span>
      </span>
      <button type="button" className="btn btn-small" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}
