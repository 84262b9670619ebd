/**
 * Posting → job mapping end to end: an import leaves candidates unmapped; a rule (added in the
 * mapping modal) routes the waiting ones, which post to the job's channel once; a later import of a
 * matching posting posts straight away; a per-posting choice beats the rule; who may map what
 * (crafted payloads included); the Home button; the external select with search past 100 jobs;
 * workspace isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startHarness, eventually, craftedAction, type Harness } from '../helpers/app';
import { createJobViaSlack, seedImport } from '../helpers/candidates';
import { routeImported } from '../../src/domain/routing';

let h: Harness;
const T = 'T0MAP01';
const T2 = 'T0MAP02';
const T3 = 'T0MAP03';
const ADMIN = 'U0MAP01ADMIN';
const ADMIN2 = 'U0MAP02ADMIN';
const ADMIN3 = 'U0MAP03ADMIN';
const JADMIN = 'U0MAPJADMIN';
const JMEMBER = 'U0MAPJMEMBER';
const LIMITED = 'U0MAPLIMITED';
let backendId: string;
let frontendId: string;

beforeAll(async () => {
  h = await startHarness({ cardPosting: { intervalMs: 10 } });
  await h.install(T, { users: [{ id: JADMIN }, { id: JMEMBER }, { id: LIMITED }] });
  await h.install(T2, { installer: ADMIN2 });
  await h.install(T3, { installer: ADMIN3 });
  h.slack.limiter.postMessage.burst = 20;
  h.slack.limiter.postMessage.perSecond = 50;
  const bot = h.slack.botUser(T).userId;
  h.slack.addChannel({ teamId: T, id: 'C0MAPBACK', name: 'backend', members: [bot, ADMIN] });
  h.slack.addChannel({ teamId: T, id: 'C0MAPFRONT', name: 'frontend', members: [bot, ADMIN] });
  await createJobViaSlack(h, T, ADMIN, { name: 'Backend', channelId: 'C0MAPBACK', admins: [JADMIN], members: [JMEMBER] });
  await createJobViaSlack(h, T, ADMIN, { name: 'Frontend', channelId: 'C0MAPFRONT' });
  backendId = String((await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, name: 'Backend' }), 'backend'))._id);
  frontendId = String((await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, name: 'Frontend' }), 'frontend'))._id);
  // limited access member
  await h.app.deps.store.members.insertOne({ teamId: T, userId: LIMITED, orgRole: 'limited', updatedAt: new Date() });
}, 60_000);
afterAll(() => h?.close());

const posting = (externalId: string, teamId = T) => h.app.deps.store.postings.findOne({ teamId, externalId });
const channelCards = (channel: string) =>
  h.slack.messages({ teamId: T, channel }).filter((m) => JSON.stringify(m.blocks ?? []).includes('card_'));

async function openMapping(userId: string, teamId = T, expectOpen = true) {
  const before = h.slack.calls('views.open').length;
  const res = await h.slack.slash({ teamId, userId, text: 'mapping' });
  if (!expectOpen) return { res, viewId: undefined };
  const open = await h.slack
    .waitFor(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      5000,
    )
    .catch(() => undefined);
  return { res, viewId: open ? (open.response as { view: { id: string } }).view.id : undefined };
}

const top = (userId: string, teamId = T) => JSON.stringify(h.slack.topView(userId, teamId) ?? {});

/** Opens the mapping, pushes the rule modal (map:rule:add) and submits it with these values. */
async function submitRuleModal(userId: string, rule: { medium: string; pattern: string; match: 'exact' | 'contains'; jobId: string }) {
  const { viewId } = await openMapping(userId);
  await h.slack.clickButton({ teamId: T, userId, actionId: 'map:rule:add', viewId });
  const pushed = await eventually(() => (h.slack.openViews(userId, T).length === 2 ? h.slack.topView(userId, T) : undefined), 'rule modal');
  return h.slack.submitView({
    teamId: T,
    userId,
    viewId: (pushed as { id: string }).id,
    values: {
      medium: { value: rule.medium },
      pattern: { value: rule.pattern },
      match: { value: rule.match },
      job: { 'map:rule:job': rule.jobId },
    },
  });
}

/** A signed block_actions request for a select the user was never shown (a crafted payload). */
async function craftedSelect(teamId: string, userId: string, postingId: string, jobId: string) {
  const status = await craftedAction(h, {
    teamId,
    userId,
    view: { type: 'modal', private_metadata: '{"page":0}' },
    action: {
      type: 'static_select',
      action_id: 'map:job',
      block_id: `posting_${postingId}`,
      selected_option: { text: { type: 'plain_text', text: 'x' }, value: jobId },
    },
  });
  expect(status).toBe(200);
}

describe('import → unmapped → rule → cards', () => {
  it('leaves an imported posting unmapped with its candidates waiting, and Home shows it with a working button', async () => {
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-tokyo', title: 'Backend Engineer (Tokyo)', accountLabel: 'Tokyo HQ' }, 4, {
      prefix: 'Tokyo',
    });
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'w-be-tokyo', jobId: null })).toBe(4);
    await h.slack.openHome({ teamId: T, userId: ADMIN });
    const home = await eventually(() => h.slack.homeView(ADMIN, T), 'home view');
    expect(JSON.stringify(home)).toContain('home:mapping');
    const before = h.slack.calls('views.open').length;
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'home:mapping', viewId: (home as { id: string }).id });
    await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'mapping modal from Home',
    );
    expect(top(ADMIN)).toContain('Backend Engineer (Tokyo)');
    expect(channelCards('C0MAPBACK')).toHaveLength(0);
  });

  /** Posts an import notice's button with `actionId` as a bot DM to ADMIN, clicks it, and waits for the mapping modal. */
  async function clickInDm(actionId: string) {
    const client = (await h.app.deps.slack.clientFor(T))!;
    const dm = h.slack.dmChannel(T, ADMIN);
    const sent = await client.chat.postMessage({
      channel: dm,
      text: 'import finished',
      blocks: [
        {
          type: 'actions',
          block_id: 'notice',
          elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'Set mapping' }, value: 'wantedly' }],
        },
      ],
    });
    const before = h.slack.calls('views.open').length;
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId, message: { channel: dm, ts: sent.ts! } });
    await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'mapping modal from the notice',
    );
    expect(top(ADMIN)).toContain('Backend Engineer (Tokyo)');
  }

  it('the import notice button (map:open, test/e2e/import.test.ts) opens the mapping too', async () => {
    await clickInDm('map:open');
  });

  it('an import notice posted before the ids had a feature prefix (open_mapping) still opens the mapping', async () => {
    await clickInDm('open_mapping');
  });

  it('a rule added in the modal routes the waiting candidates, says how many moved, and posts each card once', async () => {
    const res = await submitRuleModal(ADMIN, { medium: 'wantedly', pattern: 'Backend Engineer', match: 'contains', jobId: backendId });
    expect(res.responseAction).not.toBe('errors');
    await eventually(() => /4 人の候補者を求人「Backend」に振り分けました/.test(top(ADMIN)), 'banner with the count');
    await eventually(() => channelCards('C0MAPBACK').length === 4, 'four cards');
    // routing again (a re-run of the import, a retry) posts nothing more
    await routeImported(h.app.deps, T, 'wantedly', ['w-be-tokyo']);
    await new Promise((r) => setTimeout(r, 300));
    expect(channelCards('C0MAPBACK')).toHaveLength(4);
    const names = channelCards('C0MAPBACK').map((m) => m.text);
    expect(names).toEqual(['新しい候補者: Tokyo 001', '新しい候補者: Tokyo 002', '新しい候補者: Tokyo 003', '新しい候補者: Tokyo 004']);
  });

  it('a later import of a matching posting posts straight away', async () => {
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-osaka', title: 'Senior Backend Engineer (Osaka)' }, 2, { prefix: 'Osaka' });
    await eventually(() => channelCards('C0MAPBACK').length === 6, 'two more cards');
    expect(
      await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'w-be-osaka', jobId: new ObjectId(backendId) }),
    ).toBe(2);
  });

  it('a per-posting choice beats the rule', async () => {
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-remote', title: 'Backend Engineer (Remote, React)' }, 0);
    const p = (await posting('w-be-remote'))!;
    const { viewId } = await openMapping(ADMIN);
    expect(top(ADMIN)).toContain('ルールで紐付け');
    await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'map:job',
      blockId: `posting_${p._id}`,
      viewId,
      selectedOption: frontendId,
    });
    await eventually(async () => String((await posting('w-be-remote'))!.jobId) === frontendId, 'posting choice saved');
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-remote', title: 'Backend Engineer (Remote, React)' }, 3, { prefix: 'Remote' });
    await eventually(() => channelCards('C0MAPFRONT').length === 3, 'cards in the frontend channel');
    expect(channelCards('C0MAPBACK')).toHaveLength(6);
  });

  it('choosing a job for an unmapped posting moves its waiting candidates and tells the user how many', async () => {
    await seedImport(h, T, 'green', { externalId: 'g-design', title: 'UI Designer' }, 2, { prefix: 'Design' });
    const p = (await posting('g-design'))!;
    const { viewId } = await openMapping(ADMIN);
    await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'map:job',
      blockId: `posting_${p._id}`,
      viewId,
      selectedOption: frontendId,
    });
    await eventually(() => top(ADMIN).includes('2 人の候補者を求人「Frontend」に振り分けました'), 'banner');
    await eventually(() => channelCards('C0MAPFRONT').length === 5, 'two more frontend cards');
  });
});

describe('who may map', () => {
  it('a job member sees the mapping without selects, and a crafted select is refused with no change', async () => {
    await seedImport(h, T, 'findy', { externalId: 'f-ml', title: 'ML Engineer' }, 1, { prefix: 'ML' });
    const p = (await posting('f-ml'))!;
    const { viewId } = await openMapping(JMEMBER);
    expect(viewId).toBeTruthy();
    expect(top(JMEMBER)).toContain('ML Engineer');
    expect(top(JMEMBER)).not.toContain('map:job');
    await craftedSelect(T, JMEMBER, String(p._id), backendId);
    await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: T, actorId: JMEMBER, action: 'mapping.edit', allowed: false }),
      'refusal audit-logged',
    );
    expect((await posting('f-ml'))!.jobId).toBeNull();
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'f-ml', jobId: null })).toBe(1);
  });

  it('a job admin maps onto their own job, but not onto another job', async () => {
    const p = (await posting('f-ml'))!;
    await craftedSelect(T, JADMIN, String(p._id), frontendId);
    await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: T, actorId: JADMIN, action: 'mapping.edit', allowed: false }),
      'refused',
    );
    expect((await posting('f-ml'))!.jobId).toBeNull();
    const { viewId } = await openMapping(JADMIN);
    expect(top(JADMIN)).toContain('map:job');
    expect(top(JADMIN)).not.toContain(frontendId);
    await h.slack.clickButton({
      teamId: T,
      userId: JADMIN,
      actionId: 'map:job',
      blockId: `posting_${p._id}`,
      viewId,
      selectedOption: backendId,
    });
    await eventually(async () => String((await posting('f-ml'))!.jobId) === backendId, 'mapped onto own job');
  });

  it('a job admin cannot take a posting away from a job they do not administer', async () => {
    const p = (await posting('w-be-remote'))!; // chosen onto Frontend by the org admin
    await craftedSelect(T, JADMIN, String(p._id), backendId);
    await eventually(
      async () =>
        (await h.app.deps.store.auditLog.countDocuments({ teamId: T, actorId: JADMIN, action: 'mapping.edit', allowed: false })) >= 2,
      'refused',
    );
    expect(String((await posting('w-be-remote'))!.jobId)).toBe(frontendId);
  });

  it('a job admin cannot override a rule that sends a posting to another job', async () => {
    const { addRule } = await import('../../src/domain/mapping');
    const { loadActor } = await import('../../src/domain/members');
    await addRule(h.app.deps, await loadActor(h.app.deps, T, ADMIN), {
      medium: 'green',
      pattern: 'QA',
      match: 'contains',
      jobId: frontendId,
    });
    await seedImport(h, T, 'green', { externalId: 'g-qa', title: 'QA Engineer' }, 0);
    const p = (await posting('g-qa'))!;
    const refusals = await h.app.deps.store.auditLog.countDocuments({ teamId: T, actorId: JADMIN, action: 'mapping.edit', allowed: false });
    await craftedSelect(T, JADMIN, String(p._id), backendId);
    await eventually(
      async () =>
        (await h.app.deps.store.auditLog.countDocuments({ teamId: T, actorId: JADMIN, action: 'mapping.edit', allowed: false })) > refusals,
      'refused',
    );
    expect((await posting('g-qa'))!.jobId).toBeNull();
  });

  it('a job admin cannot take a posting from another job with a rule that beats the rule in place', async () => {
    // g-qa goes to Frontend by the org admin's 'QA' (contains) rule; an exact rule would beat it
    const rulesBefore = await h.app.deps.store.mappingRules.countDocuments({ teamId: T });
    const res = await submitRuleModal(JADMIN, { medium: 'green', pattern: 'QA Engineer', match: 'exact', jobId: backendId });
    expect(res.responseAction).toBe('errors');
    expect(JSON.stringify(res.body)).toContain('権限がありません');
    expect(await h.app.deps.store.mappingRules.countDocuments({ teamId: T })).toBe(rulesBefore);
    await eventually(
      () =>
        h.app.deps.store.auditLog.findOne({
          teamId: T,
          actorId: JADMIN,
          action: 'mapping.edit',
          allowed: false,
          'target.pattern': 'QA Engineer',
        }),
      'refusal audit-logged',
    );
    // a rule that takes nothing from another job is still theirs to add
    const { addRule } = await import('../../src/domain/mapping');
    const { loadActor } = await import('../../src/domain/members');
    const r = await addRule(h.app.deps, await loadActor(h.app.deps, T, JADMIN), {
      medium: 'green',
      pattern: 'SRE',
      match: 'contains',
      jobId: backendId,
    });
    expect(r.rule.pattern).toBe('SRE');
  });

  it('limited access cannot open the mapping', async () => {
    const opens = h.slack.calls('views.open').length;
    const { res } = await openMapping(LIMITED, T, false);
    const reply = await eventually(() => res.responses()[0], 'refusal');
    expect(JSON.stringify(reply)).toContain('権限がありません');
    expect(h.slack.calls('views.open').length).toBe(opens);
  });

  it('another workspace cannot map this workspace’s posting', async () => {
    const p = (await posting('g-design'))!;
    const before = String(p.jobId);
    await h.app.deps.store.jobs.insertOne({
      teamId: T2,
      name: 'Other',
      channelId: 'C0OTHER',
      admins: [],
      members: [],
      createdBy: ADMIN2,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const other = (await h.app.deps.store.jobs.findOne({ teamId: T2, name: 'Other' }))!;
    await craftedSelect(T2, ADMIN2, String(p._id), String(other._id));
    await new Promise((r) => setTimeout(r, 300));
    expect(String((await posting('g-design'))!.jobId)).toBe(before);
  });
});

describe('many jobs', () => {
  it('switches to an external select with search past 100 jobs', async () => {
    const now = new Date();
    await h.app.deps.store.jobs.insertMany(
      Array.from({ length: 105 }, (_, i) => ({
        teamId: T3,
        name: `Job ${String(i).padStart(3, '0')}`,
        channelId: 'C0MANY',
        admins: [],
        members: [],
        createdBy: ADMIN3,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await seedImport(h, T3, 'green', { externalId: 'g-many', title: 'Anything' }, 1);
    const p = (await posting('g-many', T3))!;
    const { viewId } = await openMapping(ADMIN3, T3);
    const view = h.slack.topView(ADMIN3, T3) as { blocks: { block_id?: string; accessory?: { type: string } }[] };
    const block = view.blocks.find((b) => b.block_id === `posting_${p._id}`)!;
    expect(block.accessory?.type).toBe('external_select');
    const opts = await h.slack.options({
      teamId: T3,
      userId: ADMIN3,
      actionId: 'map:job',
      blockId: `posting_${p._id}`,
      viewId,
      value: 'Job 10',
    });
    const names = (opts.options ?? []).map((o: { text: { text: string } }) => o.text.text);
    expect(names).toContain('Job 100');
    expect(names.every((n: string) => n.startsWith('Job 10'))).toBe(true);
  });
});

describe('what applicants and users typed never pings or links', () => {
  it('a candidate named <!channel> and a posting titled <!here> reach the channel as text', async () => {
    const since = h.slack.calls('chat.postMessage').length;
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-evil', title: 'Backend Engineer <!here>' }, 1, {
      prefix: '<!channel> <https://evil.example|click>',
    });
    const call = await eventually(
      () =>
        h.slack
          .calls('chat.postMessage')
          .slice(since)
          .find((c) => JSON.stringify(c.args).includes('evil.example')),
      'card',
    );
    const sent = JSON.stringify(call.args);
    expect(String(call.args.text)).toContain('&lt;!channel&gt;');
    expect(sent).not.toContain('<!channel>');
    expect(sent).not.toContain('<!here>');
    expect(sent).not.toContain('<https://evil.example');
  });
});

describe('a rule that outranks the one in place', () => {
  it('says that candidates already in a job stay there, and sends new ones to the new job', async () => {
    const backend = new ObjectId(backendId);
    const inBackend = await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'w-be-tokyo', jobId: backend });
    expect(inBackend).toBe(4);
    const res = await submitRuleModal(ADMIN, {
      medium: 'wantedly',
      pattern: 'Backend Engineer (Tokyo)',
      match: 'exact',
      jobId: frontendId,
    });
    expect(res.responseAction).not.toBe('errors');
    await eventually(() => top(ADMIN).includes('4 人の候補者はすでに別の求人に振り分け済み'), 'banner says who stays');
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'w-be-tokyo', jobId: backend })).toBe(4);
    await seedImport(h, T, 'wantedly', { externalId: 'w-be-tokyo', title: 'Backend Engineer (Tokyo)' }, 1, { prefix: 'Later' });
    await eventually(
      async () =>
        (await h.app.deps.store.candidates.countDocuments({
          teamId: T,
          postingExternalId: 'w-be-tokyo',
          jobId: new ObjectId(frontendId),
        })) === 1,
      'new one to Frontend',
    );
  });
});

describe('a replayed rule submission', () => {
  it('adds no second rule: the rule is keyed by the modal it was submitted from', async () => {
    const rule = { teamId: T, medium: 'wantedly' as const, pattern: 'Replayed Posting Title' };
    const res = await submitRuleModal(ADMIN, { medium: rule.medium, pattern: rule.pattern, match: 'exact', jobId: backendId });
    expect(res.responseAction).not.toBe('errors');
    await eventually(async () => (await h.app.deps.store.mappingRules.countDocuments(rule)) === 1, 'the rule');
    const audited = () => h.app.deps.store.auditLog.countDocuments({ teamId: T, action: 'mapping.rule.add' });
    const auditedBefore = await audited();

    // the same signed submission again, as captured on the wire: a fresh trigger_id (so the delivery
    // dedupe does not drop it) and a fresh timestamp, correctly signed
    const payload = JSON.parse(new URLSearchParams(res.request.body).get('payload')!);
    payload.trigger_id = `${Date.now()}.replayed`;
    const replay = await h.slack.raw(res.request, {
      body: `payload=${encodeURIComponent(JSON.stringify(payload))}`,
      timestamp: Math.floor(Date.now() / 1000),
    });
    expect(replay.status).toBe(200);
    expect(replay.json?.response_action).not.toBe('errors');
    // a sentinel that runs after the replay's handler: an extra rule would be visible by then
    await eventually(
      async () => (await h.app.deps.store.deliveries.countDocuments({ _id: `${T}:trigger:${payload.trigger_id}` })) > 0,
      'replay delivered',
    );
    const sentinel = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'help' });
    expect(sentinel.status).toBe(200);
    expect(await h.app.deps.store.mappingRules.countDocuments(rule)).toBe(1);
    expect(await audited()).toBe(auditedBefore);
  });
});
