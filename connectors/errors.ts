/** Error helpers shared by connectors: credential scrubbing, Retry-After parsing, error mapping. */
import { AuthError, ServiceError, type Credentials } from './types';

/** Every secret-ish string in the credentials (password, API key, login id). */
export function secretsOf(creds: Credentials): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(creds)) if (k !== 'medium' && typeof v === 'string' && v.length >= 3) out.push(v);
  return out;
}

/** Removes credentials from a message and keeps it to one bounded line. */
export function scrub(message: string, secrets: string[]): string {
  let m = message.split('\n')[0] ?? '';
  for (const s of secrets) {
    if (!s) continue;
    m = m.split(s).join('***');
    const enc = encodeURIComponent(s);
    if (enc !== s) m = m.split(enc).join('***');
  }
  return m.length > 300 ? `${m.slice(0, 300)}…` : m;
}

/** Retry-After header (seconds or HTTP date) → ms; undefined when absent/unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value.trim());
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const d = Date.parse(value);
  if (!Number.isNaN(d)) return Math.max(0, d - now);
  return undefined;
}

/** Maps any thrown value to AuthError/ServiceError with a scrubbed message. */
export function toConnectorError(err: unknown, secrets: string[]): AuthError | ServiceError {
  if (err instanceof AuthError) return new AuthError(err.reason, scrub(err.message, secrets));
  if (err instanceof ServiceError) return new ServiceError(err.reason, scrub(err.message, secrets), err.retryAfterMs);
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const msg = scrub(String(e?.message ?? err), secrets);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new ServiceError('timeout', msg);
  return new ServiceError('unavailable', msg);
}

/** A zod failure on what the medium returned: the page or response cannot be read. */
export function zodIssueSummary(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
