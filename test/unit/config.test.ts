/** src/config.ts: defaults, the three Slack modes, and one-line errors that never print a value. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const KEY = randomBytes(32).toString('base64');
const SIGNING = 'sig-0123456789abcdef0123456789abcdef';
const single = { SLACK_SIGNING_SECRET: SIGNING, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', ENCRYPTION_KEY: KEY };
const oauth = {
  SLACK_SIGNING_SECRET: SIGNING,
  SLACK_CLIENT_ID: '111.222',
  SLACK_CLIENT_SECRET: 'cs-very-secret-0001',
  SLACK_STATE_SECRET: 'st-very-secret-0002',
  ENCRYPTION_KEY: KEY,
};

/** The ConfigError thrown for env (fails the test if none is thrown). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${Object.keys(env).join(',')}`);
}

function expectOneLineNaming(err: ConfigError, variable: string, ...neverShown: string[]) {
  expect(err.message).not.toMatch(/[\r\n]/);
  expect(err.message).toContain(variable);
  for (const secret of neverShown) expect(err.message).not.toContain(secret);
  // no zod dump, no stack in the message
  expect(err.message).not.toMatch(/^\s*at /m);
  expect(err.message).not.toContain('"code"');
}

describe('loadConfig', () => {
  it('applies the documented defaults (sandbox with no Slack credentials)', () => {
    const c = loadConfig({});
    expect(c.slackMode).toBe('sandbox');
    expect(c.PORT).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(c.DATA_DIR).toBe('./.data');
    expect(c.CHROMIUM_PATH).toBe('/usr/bin/chromium');
    expect(c.DEFAULT_TIMEZONE).toBe('Asia/Tokyo');
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.ENCRYPTION_KEY).toBeUndefined();
    expect(c.WANTEDLY_API_URL).toBe('https://api.wantedly.com');
    expect(c.NODE_ENV).toBe('development');
  });

  it('ignores empty strings like unset variables', () => {
    const c = loadConfig({ PORT: '', SLACK_BOT_TOKEN: '', DEFAULT_TIMEZONE: '' });
    expect(c.PORT).toBe(3000);
    expect(c.slackMode).toBe('sandbox');
  });

  it('derives PUBLIC_URL from PORT and trims a trailing slash', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://hire.example.com/' }).publicUrl).toBe('https://hire.example.com');
  });

  it('single-workspace mode with a bot token and signing secret', () => {
    const c = loadConfig(single);
    expect(c.slackMode).toBe('single');
    expect(c.SLACK_BOT_TOKEN).toBe('xoxb-1-2-abc');
  });

  it('OAuth mode with client id, secret and state secret', () => {
    const c = loadConfig({ ...oauth, PUBLIC_URL: 'https://hire.example.com' });
    expect(c.slackMode).toBe('oauth');
    expect(c.SLACK_AUTHORIZE_URL).toBe('https://slack.com/oauth/v2/authorize');
  });

  it('reads a keyring with ids, first key current', () => {
    const k2 = randomBytes(32).toString('base64');
    const c = loadConfig({ ENCRYPTION_KEY: `new:${k2},old:${KEY}` });
    expect(c.ENCRYPTION_KEY!.map((k) => k.id)).toEqual(['new', 'old']);
    expect(c.ENCRYPTION_KEY![0].key.equals(Buffer.from(k2, 'base64'))).toBe(true);
    expect(loadConfig({ ENCRYPTION_KEY: KEY }).ENCRYPTION_KEY).toHaveLength(1);
  });

  it('a key without an id gets one from the key itself, the same wherever it sits in the ring', () => {
    const k2 = randomBytes(32).toString('base64');
    const alone = loadConfig({ ENCRYPTION_KEY: KEY }).ENCRYPTION_KEY![0].id;
    const ring = loadConfig({ ENCRYPTION_KEY: `${k2},${KEY}` }).ENCRYPTION_KEY!.map((k) => k.id);
    expect(ring[1]).toBe(alone);
    expect(ring[0]).not.toBe(alone);
    expect(alone).toMatch(/^h[0-9a-f]{10}$/);
  });

  it('production with Slack credentials and an ENCRYPTION_KEY starts', () => {
    const c = loadConfig({ ...single, NODE_ENV: 'production', ENCRYPTION_KEY: KEY });
    expect(c.slackMode).toBe('single');
  });
});

describe('bad values stop start-up with one line naming the variable', () => {
  it.each([
    ['PORT', { PORT: 'abc' }, 'abc'],
    ['PORT', { PORT: '70000' }, '70000'],
    ['DEFAULT_TIMEZONE', { DEFAULT_TIMEZONE: 'Mars/Base' }, 'Mars/Base'],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'short-key-c2VjcmV0' }, 'short-key-c2VjcmV0'],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: `k1:${KEY},bad id!:${KEY}` }, KEY],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: `${KEY},${KEY}` }, KEY],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://admin:hunter2pass@db' }, 'hunter2pass'],
    ['SLACK_API_URL', { SLACK_API_URL: 'ftp://files.example.com' }, 'ftp://files.example.com'],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }, 'not a url'],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'loud'],
    ['SLACK_BOT_TOKEN', { SLACK_SIGNING_SECRET: SIGNING, SLACK_BOT_TOKEN: 'xoxp-user-token-SECRET42' }, 'xoxp-user-token-SECRET42'],
  ] as const)('%s (%j)', (variable, env, value) => {
    const err = configError(env);
    expectOneLineNaming(err, variable, value);
  });

  it('SLACK_CLIENT_ID without SLACK_CLIENT_SECRET names the missing variable and prints no secret', () => {
    const env = {
      SLACK_SIGNING_SECRET: 'signing-SECRET-value-777',
      SLACK_CLIENT_ID: '111.222',
      SLACK_STATE_SECRET: 'state-SECRET-value-888',
    };
    const err = configError(env);
    expectOneLineNaming(err, 'SLACK_CLIENT_SECRET', 'signing-SECRET-value-777', 'state-SECRET-value-888');
  });

  it('a bot token without the signing secret names SLACK_SIGNING_SECRET and not the token', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-999-888-TOPSECRET' });
    expectOneLineNaming(err, 'SLACK_SIGNING_SECRET', 'xoxb-999-888-TOPSECRET');
  });

  it('a signing secret alone names SLACK_BOT_TOKEN', () => {
    const err = configError({ SLACK_SIGNING_SECRET: 'lonely-secret-1234' });
    expectOneLineNaming(err, 'SLACK_BOT_TOKEN', 'lonely-secret-1234');
  });

  it('production without ENCRYPTION_KEY fails', () => {
    const err = configError({ ...oauth, ENCRYPTION_KEY: undefined, NODE_ENV: 'production' });
    expectOneLineNaming(err, 'ENCRYPTION_KEY', oauth.SLACK_CLIENT_SECRET, oauth.SLACK_STATE_SECRET, SIGNING);
  });

  it('Slack credentials without ENCRYPTION_KEY fail when NODE_ENV is not set (an operator who forgot both)', () => {
    for (const env of [oauth, single]) {
      const err = configError({ ...env, ENCRYPTION_KEY: undefined });
      expectOneLineNaming(err, 'ENCRYPTION_KEY', SIGNING);
    }
  });

  it('an explicit NODE_ENV=development or test may go without (a local key is made)', () => {
    for (const NODE_ENV of ['development', 'test']) {
      expect(loadConfig({ ...single, ENCRYPTION_KEY: undefined, NODE_ENV }).ENCRYPTION_KEY).toBeUndefined();
    }
    expect(loadConfig({}).NODE_ENV).toBe('development');
  });

  it('the sandbox (no Slack credentials) does not need ENCRYPTION_KEY even in production', () => {
    // the sandbox generates a local key; production with real Slack credentials is the case above
    expect(() => loadConfig({ NODE_ENV: 'production' })).not.toThrow();
  });
});
