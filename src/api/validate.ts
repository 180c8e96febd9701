import type { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Parses input with a zod schema, or throws the contract's 400 naming the first bad field
 * (`validation.email`, `validation.request.url`; `validation.body` when the body itself is wrong).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  const message = issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message;
  throw new AppError(400, `validation.${field}`, message);
}
