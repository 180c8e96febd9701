/** Postgres's unique_violation: a concurrent writer got there first. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === '23505';
}
