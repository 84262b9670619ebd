/**
 * Many media accounts: `/ats accounts` pages them within Slack's 50 blocks per message (every account
 * reachable with the page buttons, those that need someone first) and App Home shows the first few
 * without pushing the rest of the dashboard out of its 100 blocks. A malformed button value gets a
 * plain answer, not an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startHarness, eventually, craftedAction, type Harness } from '../helpers/app';
import { insertLinkedAccount } from '../helpers/accounts';
import type { StoredMessage } from '../../emulators/slack/state';

let h: Harness;
const T = 'T0MANYACC';
const ADMIN = `U${T.slice(1)}ADMIN`;
const ids: string[] = [];
let failedId: string;

beforeAll(async () => {
  h = await startHarness();
  await h.install(T);
  for (let i = 0; i < 40; i++) {
    ids.push(
      await insertLinkedAccount(
        h.app.deps,
        T,
        'wantedly',
        { medium: 'wantedly', apiKey: `wantedly-many-key-${String(i).padStart(6, '0')}` },
        `Office ${String(i).padStart(2, '0')}`,
      ),
    );
  }
  failedId = await insertLinkedAccount(
    h.app.deps,
    T,
    'bizreach',
    { medium: 'bizreach', email: 'hr@many.example', password: 'pw-many-1' },
    'Failing',
  );
  await h.app.deps.store.mediaAccounts.updateOne({ _id: new ObjectId(failedId) }, { $set: { state: 'auth_failed' } });
  ids.push(failedId);
}, 60_000);
afterAll(() => h?.close());

const accountIdsIn = (m: StoredMessage) =>
  [...JSON.stringify(m.blocks ?? []).matchAll(/"block_id":"account_([a-f0-9]{24})"/g)].map((x) => x[1]);

describe('/ats accounts with 41 accounts', () => {
  it('pages them (≤ 50 blocks each, accepted by Slack), the failing one first, every account on exactly one page', async () => {
    h.slack.reset();
    const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'accounts' });
    await eventually(() => res.responses()[0], 'accounts message');
    let msg = h.slack.messages({ teamId: T, ephemeral: true }).at(-1)!;
    expect(accountIdsIn(msg)[0]).toBe(failedId);
    expect(JSON.stringify(msg.blocks)).toContain('対応が必要なアカウントが 1 件');
    const seen: string[] = [];
    for (let page = 0; page < 10; page++) {
      expect(msg.blocks!.length).toBeLessThanOrEqual(50);
      seen.push(...accountIdsIn(msg));
      if (!JSON.stringify(msg.blocks).includes('acct:page:next')) break;
      const before = msg.edited?.count ?? 0;
      await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'acct:page:next', message: { channel: msg.channel, ts: msg.ts } });
      msg = await eventually(() => {
        const m = h.slack.messages({ teamId: T, ephemeral: true }).find((x) => x.ts === msg.ts);
        return m && (m.edited?.count ?? 0) !== before ? m : undefined;
      }, 'next page');
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(h.slack.calls().filter((c) => (c.response as { ok?: boolean })?.ok === false)).toEqual([]);
    // a link button per medium, each its own action_id (Slack refuses one twice in a block)
    expect(JSON.stringify(msg.blocks)).toContain('acct:link:openwork');
  });

  it('App Home shows the first accounts, says how many more, and keeps the rest of the dashboard', async () => {
    const since = h.slack.calls('views.publish').length;
    await h.slack.sendEvent({
      teamId: T,
      event: { type: 'app_home_opened', user: ADMIN, tab: 'home', channel: h.slack.dmChannel(T, ADMIN) },
    });
    const call = await eventually(() => h.slack.calls('views.publish').slice(since)[0], 'views.publish');
    expect(call.response).toMatchObject({ ok: true });
    const home = JSON.stringify(call.args.view);
    expect(home).toContain(`account_${failedId}`);
    expect(home).toContain('ほか 33 件のアカウント');
    expect(home).toContain('最近の候補者');
    expect(home).toContain('評価');
  });

  it('a malformed button value gets a plain "try again" answer and no error-level log', async () => {
    h.slack.reset();
    const errorsBefore = h.logs.filter((l) => l.includes('"level":50')).length;
    expect(await craftedAction(h, { teamId: T, userId: ADMIN, action: { type: 'button', action_id: 'acct:pause', value: 'zzz' } })).toBe(
      200,
    );
    const dm = await eventually(
      () => h.slack.messages({ teamId: T }).find((m) => (m.text ?? '').includes('古いメッセージのボタン')),
      'answer',
    );
    expect(dm.text).not.toMatch(/Reference|参照/);
    expect(h.logs.filter((l) => l.includes('"level":50')).length).toBe(errorsBefore);
  });
});
