import { useState, type ReactNode } from 'react';

/** A destructive action asks once more in place (no browser pop-up), and stays usable by keyboard. */
export function ConfirmButton({
  onConfirm,
  children,
  question = 'Are you sure?',
  confirmLabel = 'Yes',
  className = 'btn btn-small btn-danger',
  ariaLabel,
}: {
  onConfirm: () => Promise<void> | void;
  children: ReactNode;
  question?: string;
  confirmLabel?: string;
  className?: string;
  ariaLabel?: string;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={className} onClick={() => setAsking(true)} aria-label={ariaLabel}>
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="btn btn-small btn-danger"
        disabled={busy}
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
