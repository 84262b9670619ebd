/**
 * Wantedly beyond the connector contract (contract.test.ts covers link, import and errors for
 * every medium, Wantedly included): the API's own per-key rate limit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { getConnector } from '../../connectors/index';
import { ServiceError, type ConnectorContext, type Credentials } from '../../connectors/types';
import { rejectsWith } from '../helpers/rejects';

const KEY = 'wk_live_0123456789abcdef';
const creds: Credentials = { medium: 'wantedly', apiKey: KEY };
const connector = getConnector('wantedly');
let emu: WantedlyEmulator;
let ctx: ConnectorContext;

beforeAll(async () => {
  emu = await startWantedlyEmulator();
  ctx = { baseUrl: emu.url, timeoutMs: 5_000 };
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.addAccount({ apiKey: KEY });
});

describe('Wantedly connector against the emulator', () => {
  it('the per-key request limit → ServiceError(rate_limited) with the retryAfterMs the API gives', async () => {
    emu.setRateLimit(2, 30);
    await connector.authenticate(creds, ctx);
    await connector.authenticate(creds, ctx);
    const e = (await rejectsWith(connector.authenticate(creds, ctx))) as ServiceError;
    expect(e).toBeInstanceOf(ServiceError);
    expect(e.reason).toBe('rate_limited');
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(e.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(emu.counters().rateLimited).toBe(1);
  });
});
