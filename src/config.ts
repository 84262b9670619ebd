/**
 * Configuration: one zod schema for every variable (docs/architecture.md, "Configuration"), read once.
 * A bad or missing value stops start-up with one line naming the variable; no value of a
 * secret is ever printed (zod messages here never include the received value).
 */
import { z } from 'zod';
import { keyIdOf } from './security/crypto';

const url = z.url({ protocol: /^https?$/ });
const optionalSecret = z.string().min(1).optional();
const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);
const zone = z.string().refine((v) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Asia/Tokyo');

/** A keyring `id:base64key,id2:base64key` (first = current) or one bare base64 32-byte key. */
const keyring = z.string().transform((raw, ctx) => {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const keys: { id: string; key: Buffer }[] = [];
  for (const entry of entries) {
    const sep = entry.indexOf(':');
    const key = Buffer.from(sep > 0 ? entry.slice(sep + 1) : entry, 'base64');
    // without an id, one derived from the key: a position (k1, k2…) would move when a new key goes first
    const id = sep > 0 ? entry.slice(0, sep) : keyIdOf(key);
    if (key.length !== 32 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: 'must be base64 32-byte keys, optionally as id:key,id:key' });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must hold at least one key' });
    return z.NEVER;
  }
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    ctx.addIssue({ code: 'custom', message: 'has two keys with the same id (or the same key twice)' });
    return z.NEVER;
  }
  return keys;
});

export const configSchema = z
  .object({
    // no default here: whether it was set decides if ENCRYPTION_KEY may be missing (see below)
    NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: url.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `pretty` (one readable line per event) or `json` (one object per line); default: pretty in the sandbox, json otherwise. */
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

    SLACK_SIGNING_SECRET: optionalSecret,
    SLACK_BOT_TOKEN: z
      .string()
      .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
      .optional(),
    SLACK_CLIENT_ID: z.string().min(1).optional(),
    SLACK_CLIENT_SECRET: optionalSecret,
    SLACK_STATE_SECRET: optionalSecret,
    SLACK_API_URL: url.default('https://slack.com/api/'),
    SLACK_AUTHORIZE_URL: url.default('https://slack.com/oauth/v2/authorize'),

    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/)
      .default('hire_relay'),
    DATA_DIR: z.string().min(1).default('./.data'),
    ENCRYPTION_KEY: keyring.optional(),
    CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
    DEFAULT_TIMEZONE: zone.default('Asia/Tokyo'),

    IMPORT_BROWSER_CONCURRENCY: positiveInt(2),
    IMPORT_API_CONCURRENCY: positiveInt(8),
    IMPORT_RUN_TIMEOUT_MS: positiveInt(10 * 60_000),
    CONNECTOR_TIMEOUT_MS: positiveInt(30_000),
    /** Test only (the fault trials' simulated day): the import schedule's clock runs this many times faster. */
    SCHEDULE_TIME_SCALE: positiveInt(1),
    /** Where the fast schedule clock starts: this real instant is the same simulated instant. */
    SCHEDULE_TIME_ORIGIN: z.iso.datetime().optional(),

    WANTEDLY_API_URL: url.default('https://api.wantedly.com'),
    BIZREACH_URL: url.default('https://cr-support.jp'),
    GREEN_URL: url.default('https://www.green-japan.com'),
    FINDY_URL: url.default('https://findy-code.io'),
    PAIZA_URL: url.default('https://paiza.jp'),
    OPENWORK_URL: url.default('https://www.openwork.jp'),

    ZOOM_CLIENT_ID: z.string().optional(),
    ZOOM_CLIENT_SECRET: optionalSecret,
    ZOOM_API_URL: url.default('https://api.zoom.us/v2'),
    ZOOM_OAUTH_URL: url.default('https://zoom.us'),
    GOOGLE_CLIENT_ID: z.string().optional(),
    GOOGLE_CLIENT_SECRET: optionalSecret,
    GOOGLE_API_URL: url.default('https://www.googleapis.com'),
    GOOGLE_OAUTH_URL: url.default('https://accounts.google.com'),
    MS_CLIENT_ID: z.string().optional(),
    MS_CLIENT_SECRET: optionalSecret,
    MS_GRAPH_URL: url.default('https://graph.microsoft.com/v1.0'),
    MS_LOGIN_URL: url.default('https://login.microsoftonline.com'),
    SMARTRECRUITERS_CLIENT_ID: z.string().optional(),
    SMARTRECRUITERS_CLIENT_SECRET: optionalSecret,
    SMARTRECRUITERS_API_URL: url.default('https://api.smartrecruiters.com'),
  })
  .superRefine((c, ctx) => {
    const explicitDev = c.NODE_ENV === 'development' || c.NODE_ENV === 'test';
    const oauth = c.SLACK_CLIENT_ID || c.SLACK_CLIENT_SECRET || c.SLACK_STATE_SECRET;
    const anySlack = oauth || c.SLACK_BOT_TOKEN || c.SLACK_SIGNING_SECRET;
    if (c.SCHEDULE_TIME_SCALE > 1 && (c.NODE_ENV !== 'test' || !c.SCHEDULE_TIME_ORIGIN))
      ctx.addIssue({ code: 'custom', path: ['SCHEDULE_TIME_SCALE'], message: 'above 1 needs NODE_ENV=test and SCHEDULE_TIME_ORIGIN' });
    if (!anySlack) return; // sandbox
    if (!c.SLACK_SIGNING_SECRET)
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required with Slack credentials' });
    if (oauth) {
      for (const k of ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const) {
        if (!c[k])
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: 'is required for OAuth distribution (set all of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET)',
          });
      }
    } else if (!c.SLACK_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'is required (or set SLACK_CLIENT_ID/SECRET/STATE_SECRET for OAuth distribution)',
      });
    }
    // With real Slack credentials the secrets are real: a key generated next to the data (the sandbox's
    // way) would sit in every backup of it, and each instance would make its own. Only an explicit
    // NODE_ENV=development or test (a developer's own workspace, the test suite) may go without.
    if (!c.ENCRYPTION_KEY && !explicitDev) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_KEY'],
        message:
          'is required with Slack credentials (base64 32 bytes: `openssl rand -base64 32`; only NODE_ENV=development or test may go without)',
      });
    }
  });

export type RawConfig = Omit<z.infer<typeof configSchema>, 'NODE_ENV'> & { NODE_ENV: 'development' | 'production' | 'test' };
export type SlackMode = 'sandbox' | 'single' | 'oauth';
export type Config = RawConfig & { slackMode: SlackMode; publicUrl: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment; throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const c = parsed.data;
  const slackMode: SlackMode = c.SLACK_CLIENT_ID ? 'oauth' : c.SLACK_BOT_TOKEN ? 'single' : 'sandbox';
  return {
    ...c,
    NODE_ENV: c.NODE_ENV ?? 'development',
    slackMode,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
