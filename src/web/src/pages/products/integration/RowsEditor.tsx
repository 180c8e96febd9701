import type { FocusEvent } from 'react';
import type { Row } from './draft';

/**
 * Name/value rows (headers, body fields). `masked` values (stored secrets shown as ••••) are
 * selected on focus so typing replaces them; left alone they are kept by the server.
 */
export function RowsEditor({
  rows,
  onChange,
  keyLabel,
  valueLabel,
  addLabel,
  masked,
  onValueFocus,
  error,
}: {
  rows: Row[];
  onChange: (rows: Row[]) => void;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  masked?: string;
  onValueFocus?: (index: number, e: FocusEvent<HTMLInputElement>) => void;
  error?: string;
}) {
  const update = (index: number, patch: Partial<Row>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="rows">
      {rows.length === 0 ? <p className="muted small">None.</p> : null}
      {rows.map((row, i) => (
        <div className="row-edit" key={i}>
          <label>
            <span className="visually-hidden">
              {keyLabel} {i + 1}
            </span>
            <input placeholder={keyLabel} value={row.key} onChange={(e) => update(i, { key: e.target.value })} className="mono" />
          </label>
          <label className="grow">
            <span className="visually-hidden">
              {valueLabel} {i + 1}
            </span>
            <input
              placeholder={valueLabel}
              value={row.value}
              className="mono"
              onChange={(e) => update(i, { value: e.target.value })}
              onFocus={(e) => {
                if (masked && row.value === masked) e.target.select();
                onValueFocus?.(i, e);
              }}
            />
          </label>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${row.key || `row ${i + 1}`}`}>
            ✕
          </button>
        </div>
      ))}
      {masked && rows.some((r) => r.value === masked) ? <p className="field-hint">Values shown as {masked} are stored secrets: leave them to keep them, or type a new value.</p> : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        + {addLabel}
      </button>
    </div>
  );
}
