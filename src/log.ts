/**
 * Structured logs with pino. Secrets are redacted by key wherever they appear in a logged object;
 * code never passes a credential value as a message string.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACT_PATHS = [
  '*.password', '*.apiKey', '*.api_key', '*.token', '*.accessToken', '*.refreshToken', '*.botToken',
  '*.clientSecret', '*.client_secret', '*.secret', '*.credentials', '*.authorization', '*.cookie',
  'password', 'apiKey', 'token', 'credentials', 'authorization', 'headers.authorization', 'req.headers.authorization',
  'req.headers.cookie', '*.*.password', '*.*.apiKey', '*.*.token', '*.*.credentials',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'hire-relay' } }, destination);
}

export type { Logger };
