import type { Context, Next } from 'koa';
import { ConcurrencyError } from '../../events/errors.js';
import { AppError, errors, isDependencyDown } from '../errors.js';

/** Koa's body parser and http-errors report client mistakes with these statuses. */
function fromHttpError(err: { status?: number; statusCode?: number; type?: string }): AppError | undefined {
  const status = err.status ?? err.statusCode;
  if (status === 413 || err.type === 'entity.too.large') return errors.tooLarge();
  if (status === 415) return errors.unsupportedContentType();
  if (status === 400) return errors.malformedBody();
  return undefined;
}

/** SQLSTATE class 22, data exception: a value PostgreSQL cannot take. */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * Renders every error in the contract's shape. A 500 is masked to the client and logged
 * with the request id; a dependency outage is a 503 with Retry-After.
 */
export function errorHandler() {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      let appError: AppError;
      if (err instanceof AppError) appError = err;
      else if (err instanceof ConcurrencyError) appError = new AppError(409, 'conflict', 'Changed by another request at the same time; retry');
      else if (isDependencyDown(err)) {
        ctx.state.logger?.warn({ err }, 'dependency unavailable');
        appError = errors.unavailable();
      } else if (isDataException(err)) {
        // PostgreSQL refused a value (out of range, malformed): the request's fault, not ours.
        ctx.state.logger?.warn({ err }, 'value refused by the database');
        appError = errors.validation('body', 'A value in the request is out of range or malformed');
      } else {
        appError = fromHttpError(err as { status?: number }) ?? new AppError(500, 'internal', 'Internal error');
        if (appError.status >= 500) ctx.state.logger?.error({ err }, 'unhandled error');
      }
      ctx.status = appError.status;
      ctx.set(appError.headers);
      ctx.body = { success: false, ...appError.extra, error: appError.message, code: appError.code };
    }
  };
}
