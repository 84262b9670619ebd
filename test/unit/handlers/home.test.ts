/** commands/home.ts: app_home_opened publishes the dashboard, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { insertLinkedAccount } from '../../helpers/accounts';

const T = 'T0HHOME';
const ADMIN = 'U0HHOMEADMIN';
const MEMBER = 'U0HHOMEMEMBER';
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

const opened = (user: string, tab = 'home') => bolt.event(T, { type: 'app_home_opened', user, tab, channel: 'D0HOME' });

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_home', T, { admins: [ADMIN] }));
  u.addUser(T, MEMBER, { locale: 'ja' });
  await insertLinkedAccount(u.deps, T, 'wantedly', { medium: 'wantedly', apiKey: 'home-api-key-0123456789' }, 'Home HQ');
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('app_home_opened', () => {
  it('publishes the dashboard for the user: an org admin gets the account buttons', async () => {
    await opened(ADMIN);
    const [publish] = bolt.client.to('views.publish');
    expect(publish.args).toMatchObject({ user_id: ADMIN, view: { type: 'home' } });
    const view = JSON.stringify(publish.args.view);
    expect(view).toContain('Home HQ');
    expect(view).toContain('"action_id":"acct:pause"');
    expect(view).toContain('"action_id":"acct:link:green"');
  });

  it('a member sees the accounts without the buttons, in their language', async () => {
    await opened(MEMBER);
    const view = JSON.stringify(bolt.client.to('views.publish')[0].args.view);
    expect(view).toContain('Home HQ');
    expect(view).not.toContain('acct:');
    expect(view).toContain('ダッシュボード');
  });

  it('the Messages tab publishes nothing', async () => {
    await opened(ADMIN, 'messages');
    expect(bolt.client.calls).toEqual([]);
  });

  it('a failed publish is logged, not thrown to Bolt', async () => {
    bolt.client.answer('views.publish', () => Promise.reject(new Error('invalid_blocks')));
    try {
      await opened(ADMIN);
    } finally {
      bolt.client.answer('views.publish', () => ({ ok: true }));
    }
    expect(u.logs.find((l) => l.msg === 'home publish failed')).toMatchObject({ level: 50, teamId: T });
    expect(u.logs.some((l) => l.msg === 'unhandled Bolt error')).toBe(false);
  });
});
