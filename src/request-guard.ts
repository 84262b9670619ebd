/**
 * A check in front of Bolt's HTTP receiver on POST /slack/events. The guard reads the body itself and
 * hands it on as `req.rawBody`, which Bolt's receiver takes as already buffered. Bolt still checks the
 * signature and parses the body; the guard refuses first what Bolt handles badly:
 * - a correctly signed body that is not a JSON object (`payload=null`, a JSON `null`, number, string or
 *   array) makes Bolt 5.1's receiver throw outside its try blocks, an unhandled rejection that ends the
 *   process. Such a body gets 400 if signed, 401 if not (what Bolt gives a malformed body).
 * - a body over MAX_BODY_BYTES gets 413 before the signature check and before it is buffered: at once
 *   when its Content-Length says so, when the limit is passed if it is chunked; the connection is then
 *   closed, so the rest is not read.
 * - a correctly signed object without the shape of its kind (`check`: commands/payloads.ts, a view
 *   submission without a user or a view, a click without actions) gets 400: Bolt reads such fields
 *   before any middleware and throws (500), or acks nothing (404 after 3 s).
 * - a request timestamp more than 5 minutes in the future gets 401 (Bolt refuses only timestamps
 *   more than 5 minutes old; a future one signed once would be accepted until then).
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';
import getRawBody from 'raw-body';
import type { Logger } from 'pino';

export interface RequestGuardOptions {
  /** The path Bolt receives Slack's requests on. */
  path: string;
  signingSecret: string;
  logger: Logger;
  /** Wall-clock milliseconds, as Bolt reads them for staleness (Date.now by default). */
  now?: () => number;
  /**
   * What is wrong with a parsed body (an object) that Bolt would otherwise take, or null: a signed
   * body with a problem gets 400, logged at info with the problem.
   */
  check?: (body: Record<string, unknown>) => object | null;
}

/** How far from now a request timestamp may be, either way: Slack's window, 5 minutes. */
export const TIMESTAMP_WINDOW_SEC = 5 * 60;

/**
 * The largest body read (1 MiB). Slack's payloads stay well under it: the biggest are view
 * submissions, and a modal holds at most 100 blocks and text fields of at most 3,000 characters, so
 * even a full modal with its state is a few hundred KB; this app's modals are far smaller. Bolt's own
 * default is 4 MB, and twenty concurrent bodies of that size cost about 100 MB of memory.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

type BufferedRequest = IncomingMessage & { rawBody?: Buffer };

/** Puts the guard in front of the request listeners the server has (Bolt's receiver). */
export function guardSlackRequests(server: Server, o: RequestGuardOptions): void {
  const downstream = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of downstream) listener.call(server, req, res);
  };
  const log = o.logger.child({ component: 'request-guard' });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || pathOf(req) !== o.path) return pass(req, res);
    screen(req as BufferedRequest, res, o, log).then(
      (ok) => ok && pass(req, res),
      (err) => {
        log.warn({ err }, 'request refused: the body could not be read');
        if (!res.headersSent) refuse(res, 400);
      },
    );
  });
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

/** True when the request may go on to Bolt; otherwise it has been answered. */
async function screen(req: BufferedRequest, res: ServerResponse, o: RequestGuardOptions, log: Logger): Promise<boolean> {
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > MAX_BODY_BYTES) {
    log.warn({ contentLength: declared, limit: MAX_BODY_BYTES }, 'request refused: body over the limit');
    refuse(res, 413);
    return false;
  }
  const ts = Number(req.headers['x-slack-request-timestamp']);
  const nowSec = Math.floor((o.now ?? Date.now)() / 1000);
  if (Number.isFinite(ts) && ts > nowSec + TIMESTAMP_WINDOW_SEC) {
    log.info({ timestamp: ts, now: nowSec }, 'request refused: timestamp in the future');
    refuse(res, 401);
    return false;
  }
  try {
    req.rawBody = await getRawBody(req, { limit: MAX_BODY_BYTES, length: declared });
  } catch (err) {
    if ((err as { type?: string }).type !== 'entity.too.large') throw err;
    log.warn({ limit: MAX_BODY_BYTES }, 'request refused: body over the limit');
    refuse(res, 413);
    return false;
  }
  const body = parseBody(req.rawBody, req.headers['content-type']);
  const isObject = body === UNPARSED || (typeof body === 'object' && body !== null && !Array.isArray(body));
  const problem = isObject && body !== UNPARSED && o.check ? o.check(body as Record<string, unknown>) : null;
  if (isObject && !problem) return true;
  const signed = isValidSlackRequest({
    signingSecret: o.signingSecret,
    body: req.rawBody.toString(),
    headers: {
      'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
      'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
    },
  });
  if (problem) log.info({ signed, problem }, 'request refused: the payload has not the shape of its kind');
  else log.info({ signed }, 'request refused: the body is not a JSON object');
  refuse(res, signed ? 400 : 401);
  return false;
}

const UNPARSED = Symbol('unparsed');

/** The body parsed as Bolt's receiver parses it; UNPARSED when it does not parse (Bolt answers that with 400 itself). */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString();
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseQuery(text);
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    return JSON.parse(text);
  } catch {
    return UNPARSED;
  }
}

/**
 * Whether the body parses, as Bolt's receiver parses it, to an object. A body that does not parse at
 * all counts as fine here: Bolt answers it with 400 itself, after the signature check.
 */
export function isJsonObjectBody(raw: Buffer, contentType: string | undefined): boolean {
  const value = parseBody(raw, contentType);
  return value === UNPARSED || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/**
 * Answers and closes the connection: what is left of the request body is not read (Node would
 * otherwise read it to its end to reuse the connection).
 */
function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': '0', connection: 'close' });
  res.end();
}
