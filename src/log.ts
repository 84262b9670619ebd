/**
 * Structured logs with pino. Secrets are redacted by key wherever they appear in a logged object;
 * code never passes a credential value as a message string.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export const REDACT_PATHS = [
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.botToken',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  '*.credentials',
  '*.authorization',
  '*.cookie',
  'password',
  'apiKey',
  'token',
  'credentials',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.*.password',
  '*.*.apiKey',
  '*.*.token',
  '*.*.credentials',
];

/**
 * Errors are logged by the app as `{ err }`. An HTTP client's error (axios under @slack/web-api, the
 * Wantedly client) carries the request it made — its config, headers (`Authorization: Bearer xoxb-…`),
 * the raw header text — several levels deep where no redaction path reaches. The serializer keeps
 * what explains a failure (type, message, stack, code, status, Slack's error code) and drops those
 * parts; any token-looking string left is masked.
 */
const DROPPED = new Set(['original', 'config', 'request', 'response', 'req', 'res', 'headers', 'socket', 'agent', '_header', 'options']);
const TOKEN = /\b(xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|Bearer\s+[A-Za-z0-9._~+/=-]+|Basic\s+[A-Za-z0-9+/=]+)/g;

function prune(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.replace(TOKEN, '[redacted]');
  if (v === null || typeof v !== 'object') return v;
  if (depth > 4) return '[…]';
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => prune(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (DROPPED.has(k) || typeof x === 'function') continue;
    out[k] = prune(x, depth + 1);
  }
  return out;
}

export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return prune(err, 0);
  return prune(pino.stdSerializers.err(err), 0);
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      base: { app: 'hire-relay' },
    },
    destination,
  );
}

/**
 * What a person reads in a terminal (the sandbox): one line per event with the time, level and
 * message, the fields after it. Production keeps JSON lines for a log pipeline. The same redaction
 * and serializers apply, since pretty-printing happens after pino has serialized the event.
 */
export function prettyDestination(destination?: NodeJS.WritableStream): DestinationStream {
  return pretty({
    ...(destination ? { destination } : {}),
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
    sync: true,
  });
}

/** JSON lines unless asked otherwise; the sandbox, read by a person in a terminal, gets pretty lines. */
export function logFormatFor(config: { LOG_FORMAT?: 'json' | 'pretty'; slackMode: string }): 'json' | 'pretty' {
  return config.LOG_FORMAT ?? (config.slackMode === 'sandbox' ? 'pretty' : 'json');
}

export type { Logger };
