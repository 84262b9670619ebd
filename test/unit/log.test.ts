/** Logs never carry a secret, wherever it sits in a logged object. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } });
  return { logger: createLogger('debug', sink), text: () => lines.join('') };
}

describe('pino redaction', () => {
  it('redacts credentials, tokens and headers at the places the app logs them', () => {
    const { logger, text } = capture();
    logger.info({ password: 'pw-SECRET-1', apiKey: 'key-SECRET-2', token: 'xoxb-SECRET-3' }, 'top level');
    logger.info({ creds: { password: 'pw-SECRET-4', apiKey: 'key-SECRET-5' } }, 'nested');
    logger.info({ credentials: { medium: 'green', password: 'pw-SECRET-6' } }, 'credentials object');
    logger.info({ req: { headers: { authorization: 'Bearer SECRET-7', cookie: 'session=SECRET-8' } } }, 'request');
    logger.info({ installation: { bot: { token: 'xoxb-SECRET-9' } } }, 'two deep');
    const out = text();
    expect(out).not.toMatch(/SECRET-\d/);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(9);
  });
});
