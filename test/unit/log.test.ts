/** Logs never carry a secret, wherever it sits in a logged object. */
import { Writable } from 'node:stream';
import http from 'node:http';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFor, prettyDestination } from '../../src/log';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(c, _e, cb) {
      lines.push(String(c));
      cb();
    },
  });
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

  it('a failed Slack call (refused connection, timeout, HTTP 500) logged as { err } carries no token', async () => {
    const { logger, text } = capture();
    const fail = async (client: WebClient, what: string) => {
      try {
        await client.chat.postMessage({ channel: 'C1', text: 'x' });
        throw new Error('expected a failure');
      } catch (err) {
        logger.warn({ err }, what);
      }
    };
    // a port nothing listens on (fetch refuses some low ports outright as "bad port" before connecting)
    const closed = http.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    await fail(
      new WebClient('xoxb-SECRET-TOKEN-1', { slackApiUrl: `http://127.0.0.1:${closedPort}/api/`, retryConfig: { retries: 0 } }),
      'refused',
    );
    const silent = http.createServer(() => undefined).listen(0, '127.0.0.1');
    const broken = http
      .createServer((_q, r) => {
        r.writeHead(500);
        r.end('boom');
      })
      .listen(0, '127.0.0.1');
    await Promise.all([silent, broken].map((s) => new Promise((r) => s.once('listening', r))));
    const url = (s: http.Server) => `http://127.0.0.1:${(s.address() as { port: number }).port}/api/`;
    try {
      await fail(new WebClient('xoxb-SECRET-TOKEN-2', { slackApiUrl: url(silent), retryConfig: { retries: 0 }, timeout: 200 }), 'timeout');
      await fail(new WebClient('xoxb-SECRET-TOKEN-3', { slackApiUrl: url(broken), retryConfig: { retries: 0 } }), 'http 500');
    } finally {
      silent.closeAllConnections();
      silent.close();
      broken.close();
    }
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    expect(out).not.toMatch(/SECRET-TOKEN/);
    expect(out).not.toMatch(/xoxb-/);
    // what explains the failure stays
    expect(out).toMatch(/ECONNREFUSED|connect/);
    expect(out).toMatch(/"stack"/);
  });

  it('masks token-looking strings anywhere in a logged error', () => {
    const { logger, text } = capture();
    const err = Object.assign(new Error('failed with Authorization: Bearer abc.SECRET-10'), { detail: { hint: 'xoxp-SECRET-11' } });
    logger.error({ err }, 'boom');
    expect(text()).not.toMatch(/SECRET-1\d/);
  });
});

describe('log format', () => {
  it('JSON lines unless asked; the sandbox gets readable lines', () => {
    expect(logFormatFor({ slackMode: 'sandbox' })).toBe('pretty');
    expect(logFormatFor({ slackMode: 'single' })).toBe('json');
    expect(logFormatFor({ slackMode: 'oauth' })).toBe('json');
    expect(logFormatFor({ slackMode: 'sandbox', LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatFor({ slackMode: 'oauth', LOG_FORMAT: 'pretty' })).toBe('pretty');
  });

  it('a pretty line is one readable line, redacted like JSON', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    });
    const logger = createLogger('info', prettyDestination(sink));
    logger.info({ teamId: 'T1', password: 'pw-SECRET-1', creds: { apiKey: 'key-SECRET-2' } }, 'linked an account');
    const out = lines.join('');
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: linked an account /);
    expect(out).toContain('"teamId":"T1"');
    expect(out).not.toMatch(/SECRET-\d/);
    expect(() => JSON.parse(out)).toThrow();
  });
});
