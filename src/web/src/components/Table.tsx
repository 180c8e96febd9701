import type { ReactNode } from 'react';

/**
 * A scrollable table with its header row; a column named '' is an actions column whose
 * header only screen readers hear.
 */
export function Table({ columns, children, className = 'table' }: { columns: string[]; children: ReactNode; className?: string }) {
  return (
    <div className="table-wrap">
      <table className={className}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c || <span className="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
