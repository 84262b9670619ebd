/**
 * Console-flow details beyond the connector contract (contract.test.ts runs link, import and
 * errors for all five consoles): the login form's own validation, locking after repeated
 * failures, CAPTCHA / role / forced password change, and an expired session in mid-fetch. The
 * five consoles share this code (connectors/console/), so these run once, on BizReach.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMediumConsole, type ConsoleEmulator } from '../../emulators/media-console/index';
import { getConnector } from '../../connectors/index';
import { closeBrowser } from '../../connectors/browser';
import { AuthError, type ConnectorContext, type Credentials } from '../../connectors/types';
import { rejectsWith } from '../helpers/rejects';

const connector = getConnector('bizreach');
const login = 'saiyo@example.co.jp';
const password = 'Tr0ub4dor&3-secret';
const creds: Credentials = { medium: 'bizreach', email: login, password };
let emu: ConsoleEmulator;
const ctx = (): ConnectorContext => ({ baseUrl: emu.url, timeoutMs: 10_000 });
const reasonOf = async (p: Promise<unknown>) => ((await rejectsWith(p)) as AuthError).reason;

beforeAll(async () => {
  emu = await startMediumConsole('bizreach');
});
afterAll(async () => {
  await closeBrowser();
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  emu.addAccount({ login, password });
});

describe('console flow (BizReach)', () => {
  it('a login id the form refuses (not an e-mail) → AuthError(invalid_credentials), not a timeout', async () => {
    const e = await rejectsWith(connector.authenticate({ ...creds, email: 'not-an-email' }, ctx()));
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).reason).toBe('invalid_credentials');
    expect(e.message).not.toContain('not-an-email');
    expect(emu.counters().loginFailures).toBe(0); // never submitted
  });

  it('locked after N failures: invalid_credentials, then locked, then locked even with the right password', async () => {
    emu.setLockAfterFailures(2);
    expect(await reasonOf(connector.authenticate({ ...creds, password: 'bad1' }, ctx()))).toBe('invalid_credentials');
    expect(await reasonOf(connector.authenticate({ ...creds, password: 'bad2' }, ctx()))).toBe('locked');
    expect(await reasonOf(connector.authenticate(creds, ctx()))).toBe('locked');
  });

  it('CAPTCHA or a forced password change → needs_human; a role without the list → insufficient_role', async () => {
    emu.updateAccount(login, { captcha: true });
    expect(await reasonOf(connector.authenticate(creds, ctx()))).toBe('needs_human');
    emu.updateAccount(login, { captcha: false, mustChangePassword: true });
    expect(await reasonOf(connector.authenticate(creds, ctx()))).toBe('needs_human');
    emu.updateAccount(login, { mustChangePassword: false, role: 'none' });
    expect(await reasonOf(connector.authenticate(creds, ctx()))).toBe('insufficient_role');
  });

  it('one login per call; an expired session in the middle of a fetch → logs in again and carries on', async () => {
    await connector.authenticate(creds, ctx());
    expect(emu.counters().logins).toBe(1);
    emu.generateApplicants(login, { count: 60 });
    // Let the post-login list page through, then drop the session on the next list page.
    emu.injectFault({ kind: 'session_expired', path: '/applicants', after: 1, times: 1 });
    const r = await connector.fetchApplicants(creds, { cursor: null, limit: 50 }, ctx());
    expect(r.applicants.map((a) => a.externalId)).toEqual(
      emu
        .applicants(login)
        .slice(0, 50)
        .map((a) => a.id),
    );
    expect(emu.counters().logins).toBe(3);
  });
});
