import { z } from 'zod';

/**
 * Postbacks owed to affiliates, one stream a delivery (`postback-<deliveryId>`). A delivery
 * is sent in series of attempts: the first series when it is triggered, one more for each
 * resend; `series` says which series an outcome belongs to, so an attempt that was in flight
 * when a resend was asked for is recorded without ending the new series.
 */
const delivery = { deliveryId: z.string(), series: z.number().int().nonnegative() };

export const postbackEvents = {
  /** One call to the affiliate's URL: what was called and what came of it, never a secret. */
  PostbackAttempted: z.object({
    ...delivery,
    attempt: z.number().int().positive(),
    method: z.enum(['GET', 'POST']),
    /** As called, macros filled in. */
    url: z.string(),
    status: z.number().int().optional(),
    error: z.string().optional(),
    durationMs: z.number().int().nonnegative(),
    /** Set when another attempt of this series is scheduled. */
    retryInMs: z.number().int().nonnegative().optional(),
    /** The attempt was interrupted (its worker killed, the database gone) before its answer was recorded: the receiver may have had the call. */
    outcomeUnknown: z.boolean().optional(),
  }),
  PostbackDelivered: z.object({ ...delivery, attempt: z.number().int().positive() }),
  /** The series gave up: attempts exhausted, the receiver is gone, or the postback was disabled or removed. */
  PostbackFailed: z.object({ ...delivery, attempts: z.number().int().nonnegative(), error: z.string() }),
  /** A manager asked for the delivery to be sent again: a new series of attempts. */
  PostbackResendRequested: z.object({ deliveryId: z.string(), series: z.number().int().positive() }),
  /** The receiver answered 410 Gone: the postback is sent no more until configured again. */
  PostbackDisabled: z.object({ postbackId: z.string(), affiliateId: z.string(), deliveryId: z.string(), reason: z.string() }),
};
