/** Small node:http helpers shared by the media emulators. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChaosOptions, ChaosSwitch } from '../chaos';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void;

/** One HTTP request a media emulator received, as it came over the wire (the onRequest record). */
export interface ReceivedRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/** What every media emulator is started with: a port (0 = any free one), a wire record of its requests. */
export interface EmulatorOptions {
  port?: number;
  /** Called with every HTTP request the emulator received, once it has answered it. */
  onRequest?: (r: ReceivedRequest) => void;
  /** A seeded random fault plan (emulators/chaos.ts); also setChaos and `/__admin/chaos`. */
  chaos?: ChaosOptions;
}

/** The body each request was read with (for the onRequest record). */
const bodies = new WeakMap<http.IncomingMessage, string>();

export async function readBody(req: http.IncomingMessage, maxBytes = 5_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  bodies.set(req, text);
  return text;
}

/** Keeps the body a request was read with, for its onRequest record (an emulator with its own reader). */
export function rememberBody(req: http.IncomingMessage, text: string): void {
  bodies.set(req, text);
}

/** Calls `onRequest` with the request once it has been answered (the wire record of EmulatorOptions). */
export function reportWhenAnswered(req: http.IncomingMessage, res: http.ServerResponse, onRequest?: (r: ReceivedRequest) => void): void {
  if (!onRequest) return;
  res.once('finish', () =>
    onRequest({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: bodies.get(req) ?? '',
      status: res.statusCode,
    }),
  );
}

export async function readJson(req: http.IncomingMessage): Promise<any> {
  const text = await readBody(req);
  if (!text) return {};
  return JSON.parse(text);
}

export async function readForm(req: http.IncomingMessage): Promise<Record<string, string>> {
  const text = await readBody(req);
  return Object.fromEntries(new URLSearchParams(text));
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function redirect(res: http.ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { location, 'content-length': 0, ...headers });
  res.end();
}

export function parseCookies(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Listening {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: Handler, port = 0, host = '127.0.0.1', onRequest?: (r: ReceivedRequest) => void): Promise<Listening> {
  const server = http.createServer((req, res) => {
    reportWhenAnswered(req, res, onRequest);
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    Promise.resolve(handler(req, res, url)).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'emulator_error', message: String(err?.message ?? err) } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host}:${addr.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Faults shared by all emulators. Each applies to non-admin requests, optionally only under `path`,
 * only after `after` matching requests went through, and `times` times (default: until cleared).
 *  - error: that HTTP status (default 500) · slow: delay then answer · rate_limit: 429 + Retry-After
 *  - maintenance: 503 メンテナンス page/body · layout_changed: renamed table class/headers (consoles) or
 *    renamed JSON fields (Wantedly) · session_expired (consoles): the session is dropped → /login
 */
export type FaultSpec =
  | { kind: 'error'; status?: number; times?: number; path?: string; after?: number }
  | { kind: 'slow'; delayMs: number; times?: number; path?: string; after?: number }
  | { kind: 'rate_limit'; retryAfterSec?: number; times?: number; path?: string; after?: number }
  | { kind: 'session_expired'; times?: number; path?: string; after?: number }
  | { kind: 'maintenance'; path?: string }
  | { kind: 'layout_changed'; path?: string };

export type ActiveFault = FaultSpec & { remaining: number };

export class FaultBox {
  faults: ActiveFault[] = [];
  add(spec: FaultSpec): void {
    const times = 'times' in spec && spec.times !== undefined ? spec.times : Infinity;
    this.faults.push({ ...spec, remaining: times });
  }
  clear(): void {
    this.faults = [];
  }
  /** The fault (if any) that applies to this request; consumes one use. */
  take(pathname: string, kinds: FaultSpec['kind'][]): ActiveFault | undefined {
    for (const f of this.faults) {
      if (!kinds.includes(f.kind)) continue;
      if (f.path && !pathname.startsWith(f.path)) continue;
      if (f.remaining <= 0) continue;
      if ('after' in f && f.after && f.after > 0) {
        f.after -= 1;
        continue;
      }
      f.remaining -= 1;
      return f;
    }
    return undefined;
  }
  has(kind: FaultSpec['kind'], pathname: string): boolean {
    return this.faults.some((f) => f.kind === kind && f.remaining > 0 && (!f.path || pathname.startsWith(f.path)));
  }
}

/**
 * The control-API routes every media emulator has — faults (POST add, DELETE clear), counters,
 * reset — and the 404 for anything else. Called last by an emulator's own admin handler.
 */
export function commonAdmin(
  res: http.ServerResponse,
  parts: string[],
  method: string,
  body: any,
  e: { faults: FaultBox; counters: () => unknown; reset: () => void; chaos?: ChaosSwitch },
): void {
  if (parts[0] === 'chaos' && e.chaos) {
    // a seeded random fault plan (emulators/chaos.ts): POST sets it, DELETE clears it, GET counts
    if (method === 'POST') e.chaos.set(body as ChaosOptions);
    else if (method === 'DELETE') e.chaos.set(null);
    sendJson(res, method === 'POST' ? 201 : 200, { ok: true, counts: e.chaos.counts() });
    return;
  }
  if (parts[0] === 'faults' && method === 'POST') {
    e.faults.add(body);
    sendJson(res, 201, { ok: true });
    return;
  }
  if (parts[0] === 'faults' && method === 'DELETE') {
    e.faults.clear();
    sendJson(res, 200, { ok: true });
    return;
  }
  if (parts[0] === 'counters') {
    sendJson(res, 200, e.counters());
    return;
  }
  if (parts[0] === 'reset' && method === 'POST') {
    e.reset();
    sendJson(res, 200, { ok: true });
    return;
  }
  sendJson(res, 404, { error: { code: 'not_found', message: 'unknown admin route' } });
}
