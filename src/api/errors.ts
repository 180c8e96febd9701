/**
 * The one error type the API renders. `code` is the contract's stable machine code
 * (API.md, "Errors"); `message` is for people and must never carry a secret.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const errors = {
  validation: (field: string, message: string) => new AppError(400, `validation.${field}`, message),
  malformedBody: (message = 'Request body is not valid JSON') => new AppError(400, 'validation.body', message),
  unsupportedContentType: () => new AppError(415, 'validation.content_type', 'Request body must be application/json'),
  tooLarge: () => new AppError(413, 'validation.too_large', 'Request body is too large'),
  unauthenticated: (message = 'Authentication required') => new AppError(401, 'auth.unauthenticated', message),
  forbidden: (message = 'You are not allowed to do this') => new AppError(403, 'auth.forbidden', message),
  notFound: (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`),
  unavailable: (message = 'Service temporarily unavailable, retry shortly') =>
    new AppError(503, 'unavailable', message, { 'Retry-After': '5' }),
};

/** Errors that mean a dependency (database, queue) is down, not that the request was bad. */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const code = e.code ?? '';
  return (
    // 55000: "database is not currently accepting connections" (during a restart or maintenance).
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '55000'].includes(code) ||
    code.startsWith('08') ||
    /Connection terminated|connection is closed|Stream isn't writeable|Cannot use a pool after calling end/i.test(e.message ?? '')
  );
}
