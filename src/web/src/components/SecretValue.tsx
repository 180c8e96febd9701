import { useState } from 'react';
import { CopyButton } from './CopyButton';

/** A secret shown masked, with Show/Hide and Copy. */
export function SecretValue({ value, label }: { value: string; label: string }) {
  const [shown, setShown] = useState(false);
  const masked = `${value.slice(0, 3)}${'•'.repeat(16)}`;
  return (
    <div className="secret">
      <code className="secret-value" aria-label={shown ? label : `${label} (hidden)`}>
        {shown ? value : masked}
      </code>
      <button type="button" className="btn btn-small" onClick={() => setShown(!shown)} aria-pressed={shown}>
        {shown ? 'Hide' : 'Show'}
      </button>
      <CopyButton text={value} />
    </div>
  );
}
