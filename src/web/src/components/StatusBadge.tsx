const KNOWN = new Set(['pending', 'delivered', 'rejected', 'failed', 'refused', 'duplicate']);

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${KNOWN.has(status) ? status : 'other'}`}>{status}</span>;
}
