/**
 * A seeded random fault plan, shared by every emulator (Slack and the six media): each request the
 * plan covers draws one outcome from a PRNG seeded by `seed`, so the same seed and the same order
 * of requests give the same faults. Kinds:
 *  - before the request is handled (it has no effect): `error` (500, 502 or 503), `rate_limit`
 *    (429 + Retry-After), `hang` (no answer for `hangMs`, then the connection is dropped), `reset`
 *    (the connection is dropped at once);
 *  - after the request is handled (it took effect, the answer is damaged or lost): `garbage` (a 200
 *    whose body is not what the API speaks), `truncate` (half the body, then the connection is
 *    dropped), `lost` (no answer for `hangMs`, then the connection is dropped).
 * Rates are probabilities per request (their sum at most 1). Standalone: node:http only.
 */
import type http from 'node:http';
import { prng } from './media-console/generate';

export { prng };

export const CHAOS_KINDS = ['error', 'rate_limit', 'hang', 'reset', 'garbage', 'truncate', 'lost'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

export interface ChaosOptions {
  seed: number;
  rates: Partial<Record<ChaosKind, number>>;
  /** How long `hang` and `lost` keep the client waiting before the connection is dropped (default 5 s). */
  hangMs?: number;
  /** Retry-After of `rate_limit`, in seconds (default 1). */
  retryAfterSec?: number;
  /** Only paths starting with one of these (default: every non-admin path). */
  paths?: string[];
}

export class ChaosPlan {
  readonly counts: Record<ChaosKind, number> = Object.fromEntries(CHAOS_KINDS.map((k) => [k, 0])) as Record<ChaosKind, number>;
  private readonly rand: () => number;
  constructor(readonly opts: ChaosOptions) {
    const sum = Object.values(opts.rates).reduce((s, r) => s + (r ?? 0), 0);
    if (!Number.isFinite(opts.seed)) throw new Error('chaos: seed must be a number');
    if (sum > 1 || Object.values(opts.rates).some((r) => r !== undefined && (r < 0 || !Number.isFinite(r))))
      throw new Error('chaos: rates must be probabilities summing to at most 1');
    this.rand = prng(opts.seed);
  }

  /** One of `xs`, drawn from the same seeded sequence. */
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  /** The outcome for one request: a fault kind, or null (answered normally). */
  draw(pathname: string): ChaosKind | null {
    if (this.opts.paths && !this.opts.paths.some((p) => pathname.startsWith(p))) return null;
    const r = this.rand();
    let acc = 0;
    for (const k of CHAOS_KINDS) {
      acc += this.opts.rates[k] ?? 0;
      if (r < acc) {
        this.counts[k]++;
        return k;
      }
    }
    return null;
  }
}

/** Where an emulator keeps its plan (none until one is set). */
export class ChaosSwitch {
  plan: ChaosPlan | null = null;
  constructor(opts?: ChaosOptions) {
    if (opts) this.plan = new ChaosPlan(opts);
  }
  set(opts: ChaosOptions | null): void {
    this.plan = opts ? new ChaosPlan(opts) : null;
  }
  counts(): Record<ChaosKind, number> | null {
    return this.plan ? { ...this.plan.counts } : null;
  }

  /**
   * Applies the next outcome to this request. Returns true when the request was answered (or
   * dropped) here and must not be handled; false to handle it (an after-fault then damages the
   * answer the handler writes).
   */
  async intercept(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const plan = this.plan;
    const kind = plan?.draw(pathname) ?? null;
    if (!plan || !kind) return false;
    const hangMs = plan.opts.hangMs ?? 5_000;
    const drop = () => {
      req.socket.destroy();
      res.destroy();
    };
    switch (kind) {
      case 'error': {
        const status = plan.pick([500, 502, 503]);
        const body = `<html><body><h1>${status}</h1>chaos</body></html>`;
        res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      }
      case 'rate_limit': {
        const body = JSON.stringify({ ok: false, error: 'ratelimited' });
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(plan.opts.retryAfterSec ?? 1),
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return true;
      }
      case 'hang':
        await new Promise((r) => setTimeout(r, hangMs));
        drop();
        return true;
      case 'reset':
        drop();
        return true;
      default:
        damageAnswer(res, kind, hangMs, drop);
        return false;
    }
  }
}

/** Lets the handler run, then replaces what it answers (garbage, half of it, or nothing). */
function damageAnswer(res: http.ServerResponse, kind: 'garbage' | 'truncate' | 'lost', hangMs: number, drop: () => void) {
  const writeHead = res.writeHead.bind(res) as (s: number, h?: http.OutgoingHttpHeaders) => http.ServerResponse;
  const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
  let status = 200;
  let headers: http.OutgoingHttpHeaders = {};
  res.writeHead = ((s: number, a?: unknown, b?: unknown) => {
    status = s;
    const h = (typeof a === 'string' ? b : a) as http.OutgoingHttpHeaders | undefined;
    if (h && !Array.isArray(h)) headers = { ...headers, ...h };
    return res;
  }) as typeof res.writeHead;
  res.end = ((chunk?: unknown) => {
    const body = Buffer.isBuffer(chunk) ? chunk : Buffer.from(typeof chunk === 'string' ? chunk : '');
    if (kind === 'lost') {
      setTimeout(drop, hangMs);
      return res;
    }
    if (kind === 'garbage') {
      const junk = '<html><body>\u0000\ufffd{"ok":tr';
      writeHead(200, { 'content-type': headers['content-type'] ?? 'application/json', 'content-length': Buffer.byteLength(junk) });
      return end(junk);
    }
    // truncate: announce the whole length, send half, drop the connection
    writeHead(status, { ...headers, 'content-length': body.length });
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    setImmediate(drop);
    return res;
  }) as typeof res.end;
}
