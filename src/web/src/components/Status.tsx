import type { ReactNode } from 'react';
import { ApiError, messageOf } from '../api/client';
import type { Resource } from '../lib/useApi';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorNotice({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <div className="notice notice-error" role="alert">
      <p>
        {what ? <strong>{what}: </strong> : null}
        {messageOf(error)}
        {error instanceof ApiError && error.status ? <span className="muted"> ({error.status}{error.code ? ` ${error.code}` : ''})</span> : null}
      </p>
      {missing && what ? <p className="muted">This server does not offer it (yet), or it no longer exists.</p> : null}
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'warning' | 'success' | 'error'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Loading, error (with retry) or the data: the three states every fetched block has. */
export function Async<T>({ resource, what, children }: { resource: Resource<T>; what?: string; children: (data: T) => ReactNode }) {
  if (resource.error !== undefined && resource.data === undefined) return <ErrorNotice error={resource.error} onRetry={resource.reload} what={what} />;
  if (resource.data === undefined) return <Loading />;
  return <>{children(resource.data)}</>;
}

/** An endpoint this server does not offer (yet) or not to this login: said calmly, not as a failure. */
export function Unavailable({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
    return (
      <Notice kind="info">
        {what} is not available here yet ({error.status} {error.code}).
      </Notice>
    );
  }
  return <ErrorNotice error={error} what={what} />;
}
