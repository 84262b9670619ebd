/**
 * `/ats candidate <name>`: finds only the candidates the user may see (limited access: only those
 * assigned to them) and opens the details modal (links, posting, job, stage, import history).
 * Crafted Details clicks are refused on the server; other workspaces see nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, craftedAction, type Harness } from '../helpers/app';
import { createJobViaSlack, seedImport } from '../helpers/candidates';
import { addRule } from '../../src/domain/mapping';
import { loadActor } from '../../src/domain/members';
import type { CandidateDoc } from '../../src/storage/types';

let h: Harness;
const T = 'T0CAND01';
const T2 = 'T0CAND02';
const ADMIN = 'U0CAND01ADMIN';
const ADMIN2 = 'U0CAND02ADMIN';
const JMEMBER = 'U0CANDJMEMBER';
const LIMITED = 'U0CANDLIMITED';
let backend: CandidateDoc[];
let sales: CandidateDoc[];

beforeAll(async () => {
  h = await startHarness({ cardPosting: { intervalMs: 5 } });
  await h.install(T, { users: [{ id: JMEMBER }, { id: LIMITED }] });
  await h.install(T2, { installer: ADMIN2 });
  h.slack.limiter.postMessage.burst = 50;
  h.slack.limiter.postMessage.perSecond = 50;
  const bot = h.slack.botUser(T).userId;
  h.slack.addChannel({ teamId: T, id: 'C0CANDBE', name: 'be', members: [bot] });
  h.slack.addChannel({ teamId: T, id: 'C0CANDSA', name: 'sa', members: [bot] });
  await createJobViaSlack(h, T, ADMIN, { name: 'Backend', channelId: 'C0CANDBE', members: [JMEMBER] });
  await createJobViaSlack(h, T, ADMIN, { name: 'Sales', channelId: 'C0CANDSA' });
  const be = await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, name: 'Backend' }), 'be');
  const sa = await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, name: 'Sales' }), 'sa');
  await h.app.deps.store.members.insertOne({ teamId: T, userId: LIMITED, orgRole: 'limited', updatedAt: new Date() });
  const admin = await loadActor(h.app.deps, T, ADMIN);
  await addRule(h.app.deps, admin, { medium: 'wantedly', pattern: 'Backend', match: 'contains', jobId: String(be._id) });
  await addRule(h.app.deps, admin, { medium: 'green', pattern: 'Sales', match: 'contains', jobId: String(sa._id) });
  backend = await seedImport(h, T, 'wantedly', { externalId: 'w-be', title: 'Backend Engineer', accountLabel: 'Tokyo HQ' }, 2, {
    prefix: 'Yamada',
    age: 28,
  });
  sales = await seedImport(h, T, 'green', { externalId: 'g-sa', title: 'Field Sales' }, 2, { prefix: 'Suzuki' });
  await h.app.deps.store.candidates.updateOne({ _id: sales[0]._id }, { $set: { assignees: [LIMITED] } });
}, 60_000);
afterAll(() => h?.close());

async function search(userId: string, q: string, teamId = T) {
  const opens = h.slack.calls('views.open').length;
  const res = await h.slack.slash({ teamId, userId, text: `candidate ${q}` });
  const outcome = await eventually(() => {
    const open = h.slack
      .calls('views.open')
      .slice(opens)
      .find((c) => (c.response as { ok?: boolean }).ok);
    if (open) return { modal: JSON.stringify(h.slack.topView(userId, teamId)) };
    const reply = res.responses()[0];
    if (reply) return { reply: JSON.stringify(reply) };
    return undefined;
  }, 'answer');
  return outcome as { modal?: string; reply?: string };
}

describe('/ats candidate', () => {
  it('opens the details of a single match: links, posting, job, stage, import history', async () => {
    const r = await search(ADMIN, 'Yamada 001');
    expect(r.modal).toBeTruthy();
    expect(r.modal).toContain('Yamada 001');
    expect(r.modal).toContain('Backend Engineer');
    expect(r.modal).toContain('Backend');
    expect(r.modal).toContain('新規');
    expect(r.modal).toContain('https://example.test/wantedly/');
    expect(r.modal).not.toContain('mailto');
    expect(r.modal).toContain('Tokyo HQ');
  });

  it('lists several matches with a button each, which opens the details', async () => {
    const r = await search(ADMIN, 'yamada');
    expect(r.reply).toContain('2 人見つかりました');
    const msg = h.slack
      .messages({ teamId: T, ephemeral: true })
      .reverse()
      .find((m) => JSON.stringify(m.blocks ?? []).includes('cand:pick'));
    expect(msg).toBeTruthy();
  });

  it('a job member finds only candidates of their jobs', async () => {
    expect((await search(JMEMBER, 'Yamada 002')).modal).toContain('Yamada 002');
    expect((await search(JMEMBER, 'Suzuki')).reply).toContain('見つかりませんでした');
  });

  it('limited access finds only the candidates assigned to them', async () => {
    expect((await search(LIMITED, 'Suzuki')).modal).toContain('Suzuki 001');
    expect((await search(LIMITED, 'Yamada')).reply).toContain('見つかりませんでした');
  });

  it('a crafted Details click for an unassigned candidate is refused and audit-logged', async () => {
    const opens = h.slack.calls('views.open').length;
    expect(
      await craftedAction(h, {
        teamId: T,
        userId: LIMITED,
        action: { type: 'button', action_id: 'cand:details', value: String(backend[0]._id) },
      }),
    ).toBe(200);
    await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: T, actorId: LIMITED, action: 'candidates.view', allowed: false }),
      'refusal',
    );
    expect(h.slack.calls('views.open').length).toBe(opens);
  });

  it('another workspace finds nothing', async () => {
    expect((await search(ADMIN2, 'Yamada', T2)).reply).toContain('見つかりませんでした');
    expect((await search(ADMIN2, String(backend[0]._id), T2)).reply).toContain('見つかりませんでした');
  });
});

describe('/ats candidate: names typed in other widths and spacing', () => {
  let kanji: CandidateDoc[];
  let halfKana: CandidateDoc[];
  beforeAll(async () => {
    // routed to Sales (green 'Sales' rule): the job member of Backend does not see them
    kanji = await seedImport(h, T, 'green', { externalId: 'g-w1', title: 'Inside Sales' }, 1, { prefix: '山田 太郎' });
    await seedImport(h, T, 'green', { externalId: 'g-w2', title: 'Inside Sales' }, 1, { prefix: 'Ｙａｍａｄａ' });
    halfKana = await seedImport(h, T, 'green', { externalId: 'g-w3', title: 'Inside Sales' }, 1, { prefix: 'ﾔﾏﾀﾞ ﾊﾅｺ' });
    await seedImport(h, T, 'green', { externalId: 'g-w4', title: 'Inside Sales' }, 1, { prefix: 'Ono .*(' });
  });

  it('山田太郎 finds 山田 太郎 (spaces ignored, the ideographic space too)', async () => {
    expect((await search(ADMIN, '山田太郎')).modal).toContain('山田 太郎 001');
    expect((await search(ADMIN, '山田　太郎')).modal).toContain('山田 太郎 001');
    expect((await search(ADMIN, '田太郎00')).modal).toContain('山田 太郎 001');
  });

  it('Yamada finds the full-width Ｙａｍａｄａ too', async () => {
    const r = await search(ADMIN, 'Yamada');
    expect(r.reply).toContain('3 人見つかりました');
    expect(r.reply).toContain('Ｙａｍａｄａ 001');
    expect((await search(ADMIN, 'ｙａｍａｄａ ００１')).reply).toContain('Ｙａｍａｄａ 001');
  });

  it('ヤマダ finds the half-width ﾔﾏﾀﾞ ﾊﾅｺ, and the other way round', async () => {
    expect((await search(ADMIN, 'ヤマダ')).modal).toContain('ﾔﾏﾀﾞ ﾊﾅｺ 001');
    expect((await search(ADMIN, 'ﾔﾏﾀﾞﾊﾅｺ')).modal).toContain('ﾔﾏﾀﾞ ﾊﾅｺ 001');
  });

  it('regular expression characters stay literal', async () => {
    expect((await search(ADMIN, '.*')).modal).toContain('Ono .*( 001');
    expect((await search(ADMIN, '(')).modal).toContain('Ono .*( 001');
    expect((await search(ADMIN, '（')).modal).toContain('Ono .*( 001'); // full-width, NFKC → (
    expect((await search(ADMIN, 'Yamada.*001')).reply).toContain('見つかりませんでした');
    expect((await search(ADMIN, '[a-z]')).reply).toContain('見つかりませんでした');
  });

  it('the access scoping is unchanged: limited access sees only assigned candidates, a job member only their jobs', async () => {
    expect((await search(LIMITED, 'ヤマダ')).reply).toContain('見つかりませんでした');
    expect((await search(LIMITED, '山田太郎')).reply).toContain('見つかりませんでした');
    await h.app.deps.store.candidates.updateOne({ _id: halfKana[0]._id }, { $set: { assignees: [LIMITED] } });
    expect((await search(LIMITED, 'ヤマダ')).modal).toContain('ﾔﾏﾀﾞ ﾊﾅｺ 001');
    expect((await search(LIMITED, '山田太郎')).reply).toContain('見つかりませんでした');
    expect((await search(JMEMBER, '山田太郎')).reply).toContain('見つかりませんでした');
    expect((await search(ADMIN2, '山田太郎', T2)).reply).toContain('見つかりませんでした');
    expect(kanji[0].searchKey).toBe('山田太郎001');
  });
});
