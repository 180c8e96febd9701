import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that can carry secrets anywhere in a log line. Redaction lives here, in the logger's
 * config, so no call site has to remember it.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'apiToken',
  '*.apiToken',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'headers',
  '*.headers',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-conversion-secret"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'leadgate' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
