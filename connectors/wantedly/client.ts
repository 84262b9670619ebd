/** HTTP client for the Wantedly Visit API (API key auth). */
import { AuthError, ServiceError, type ConnectorContext } from '../types';
import { parseRetryAfter } from '../errors';
import { wantedlyErrorSchema } from './schema';

export async function wantedlyGet(path: string, apiKey: string, ctx: ConnectorContext): Promise<unknown> {
  const url = new URL(path, ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`);
  const signals = [AbortSignal.timeout(ctx.timeoutMs)];
  if (ctx.signal) signals.push(ctx.signal);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new ServiceError('timeout', `Wantedly did not answer within ${ctx.timeoutMs} ms`);
    throw new ServiceError('unavailable', `Wantedly unreachable: ${(err as { cause?: { code?: string } }).cause?.code ?? 'network error'}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    throw new ServiceError('timeout', 'Wantedly response was cut off');
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  const errBody = wantedlyErrorSchema.safeParse(body);
  const code = errBody.success ? errBody.data.error.code : undefined;
  if (res.status === 401) throw new AuthError('invalid_credentials', 'Wantedly refused the API key (401)');
  if (res.status === 403) {
    if (code === 'insufficient_role')
      throw new AuthError('insufficient_role', 'Wantedly: the key belongs to an account without 管理者/担当 role (403)');
    throw new AuthError('invalid_credentials', `Wantedly refused the API key (403${code ? ` ${code}` : ''})`);
  }
  if (res.status === 429)
    throw new ServiceError('rate_limited', 'Wantedly rate limit (429)', parseRetryAfter(res.headers.get('retry-after')) ?? 60_000);
  if (res.status >= 500) {
    const ra = parseRetryAfter(res.headers.get('retry-after'));
    throw new ServiceError('unavailable', `Wantedly error ${res.status}${code ? ` ${code}` : ''}`, ra);
  }
  if (res.status !== 200) throw new ServiceError('bad_response', `Wantedly answered ${res.status}${code ? ` ${code}` : ''}`);
  if (body === undefined) throw new ServiceError('bad_response', 'Wantedly answered 200 without JSON');
  return body;
}
