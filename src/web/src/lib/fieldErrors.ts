import { ApiError } from '../api/client';

/**
 * The API names the first bad field in its code (`validation.request.url`); forms show that
 * message beside the field. The message's own "field: " prefix is dropped there.
 */
export function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  const field = error.field;
  const hit = fields.some((f) => field === f || field.startsWith(`${f}.`));
  if (!hit) return undefined;
  return error.message.replace(/^[\w.[\]-]+:\s*/, '');
}

/** True when some form field shows the error, so a summary need not repeat the whole message. */
export function isFieldError(error: unknown, fields: string[]): boolean {
  return fields.some((f) => fieldError(error, f) !== undefined);
}
