/** An append whose expected stream version did not hold: somebody else wrote first. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
  ) {
    super(`stream ${streamId} is not at the expected version ${String(expected)}`);
    this.name = 'ConcurrencyError';
  }
}

/** An event whose data fails its schema: a bug in the caller, refused before anything is stored. */
export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly issues: string,
  ) {
    super(`event ${type} does not match its schema: ${issues}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * What the appender believes about the stream: its exact current version (0 = empty),
 * 'no_stream' (same as 0), or 'any' (no check).
 */
export type ExpectedVersion = number | 'no_stream' | 'any';
