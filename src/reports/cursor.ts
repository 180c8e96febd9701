import { z } from 'zod';

/** A place in the report's order (received_at desc, lead_id desc): the last row a page showed. */
export interface LeadPosition {
  receivedAt: Date;
  leadId: string;
}

const Payload = z.tuple([z.iso.datetime(), z.string().min(1).max(200)]);

/**
 * Opaque to clients: base64url of JSON. Keyset, not offset, so a page never repeats or skips a
 * row while new leads arrive (they sort before any cursor) or leads change status (the order's
 * columns never change).
 */
export function encodeCursor(position: LeadPosition): string {
  return Buffer.from(JSON.stringify([position.receivedAt.toISOString(), position.leadId])).toString('base64url');
}

export function decodeCursor(cursor: string): LeadPosition | undefined {
  try {
    const parsed = Payload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { receivedAt: new Date(parsed.data[0]), leadId: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

/** The `cursor` query parameter: a bad one is the client's 400 `validation.cursor`. */
export const LeadCursor = z
  .string()
  .max(1000)
  .transform((value, ctx) => {
    const position = decodeCursor(value);
    if (!position) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this report gave out' });
      return z.NEVER;
    }
    return position;
  });
