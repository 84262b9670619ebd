/** The App Home dashboard: what each person sees, in their language, within Slack's limits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { insertLinkedAccount } from '../helpers/accounts';

let h: Harness;
const T = 'T0HOME';
const ADMIN = `U${T.slice(1)}ADMIN`;

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { users: [{ id: 'U0HOMEEN', locale: 'en-US' }, { id: 'U0HOMELTD' }] });
  await h.app.deps.store.members.insertOne({ teamId: T, userId: 'U0HOMELTD', orgRole: 'limited', updatedAt: new Date() });
  await insertLinkedAccount(h.app.deps, T, 'wantedly', { medium: 'wantedly', apiKey: 'wantedly-home-key-000001' }, 'Tokyo HQ');
}, 60_000);
afterAll(() => h?.close());

async function openHome(user: string) {
  const since = h.slack.calls('views.publish').length;
  await h.slack.sendEvent({ teamId: T, event: { type: 'app_home_opened', user, tab: 'home', channel: h.slack.dmChannel(T, user) } });
  const call = await eventually(
    () =>
      h.slack
        .calls('views.publish')
        .slice(since)
        .find((c) => c.args.user_id === user),
    'views.publish',
  );
  expect(call.response).toMatchObject({ ok: true });
  return JSON.stringify(call.args.view);
}

it('an org admin sees the accounts with their state and the buttons that change them (ja)', async () => {
  const home = await openHome(ADMIN);
  expect(home).toContain('hire-relay ダッシュボード');
  expect(home).toContain('Tokyo HQ');
  expect(home).toContain('連携中');
  expect(home).toContain('acct:pause');
  expect(home).toContain('acct:link'); // link the media not linked yet
});

it('a standard user sees the states in English but no button that changes an account', async () => {
  const home = await openHome('U0HOMEEN');
  expect(home).toContain('hire-relay dashboard');
  expect(home).toContain('Linked');
  expect(home).not.toContain('acct:pause');
  expect(home).not.toContain('acct:unlink');
});

it('limited access sees neither accounts nor the mapping', async () => {
  const home = await openHome('U0HOMELTD');
  expect(home).not.toContain('Tokyo HQ');
  expect(home).not.toContain('home:mapping');
});
