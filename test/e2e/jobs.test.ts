/**
 * Jobs end to end: `/ats job new` (modal), `/ats jobs`, who may create one, and what happens when
 * the bot cannot post in the job's channel (not invited → the admins are told with the /invite line
 * and nothing is lost; archived → the cards go to the job's admins by DM).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { createJobViaSlack, seedImport } from '../helpers/candidates';
import { addRule } from '../../src/domain/mapping';
import { loadActor } from '../../src/domain/members';

let h: Harness;
const T = 'T0JOBS01';
const ADMIN = 'U0JOBS01ADMIN';
const JADMIN = 'U0JOBSJADMIN';
const JMEMBER = 'U0JOBSJMEMBER';
const OTHER = 'U0JOBSOTHER';
let bot: string;

beforeAll(async () => {
  h = await startHarness({ cardPosting: { intervalMs: 10 } });
  await h.install(T, { users: [{ id: JADMIN }, { id: JMEMBER }, { id: OTHER, locale: 'en-US' }] });
  h.slack.limiter.postMessage.burst = 20;
  h.slack.limiter.postMessage.perSecond = 50;
  bot = h.slack.botUser(T).userId;
  h.slack.addChannel({ teamId: T, id: 'C0JOBSDEV', name: 'dev-hiring', members: [bot, ADMIN, JADMIN] });
  h.slack.addChannel({ teamId: T, id: 'C0JOBSNOBOT', name: 'sales-hiring', members: [ADMIN] });
  h.slack.addChannel({ teamId: T, id: 'C0JOBSARCH', name: 'old-hiring', members: [bot, ADMIN] });
  h.slack.addChannel({ teamId: T, id: 'G0JOBSPRIV', name: 'exec-hiring', isPrivate: true, members: [ADMIN] });
  h.slack.addChannel({ teamId: T, id: 'C0JOBSEXT', name: 'agency-shared', extShared: true, members: [bot, ADMIN] });
}, 60_000);
afterAll(() => h?.close());

const job = (name: string) => h.app.deps.store.jobs.findOne({ teamId: T, name });
const dmsTo = (user: string) => h.slack.messages({ teamId: T, channel: h.slack.dmChannel(T, user) });

describe('/ats job new', () => {
  it('lets an org admin create a job with channel, admins and members', async () => {
    const res = await createJobViaSlack(h, T, ADMIN, {
      name: 'Backend Engineer',
      channelId: 'C0JOBSDEV',
      admins: [JADMIN],
      members: [JMEMBER],
    });
    expect(res.responseAction).not.toBe('errors');
    const j = await eventually(() => job('Backend Engineer'), 'job stored');
    expect(j.channelId).toBe('C0JOBSDEV');
    expect(j.admins).toEqual([JADMIN]);
    expect(j.members).toEqual([JMEMBER]);
    const told = await eventually(() => dmsTo(ADMIN).find((m) => (m.text ?? '').includes('Backend Engineer')), 'created message');
    expect(told.text).not.toContain('/invite');
  });

  it('tells the creator plainly when the bot must be invited, with the /invite line', async () => {
    await createJobViaSlack(h, T, ADMIN, { name: 'Sales', channelId: 'C0JOBSNOBOT', admins: [JADMIN] });
    await eventually(() => job('Sales'), 'job stored');
    const told = await eventually(() => dmsTo(ADMIN).find((m) => (m.text ?? '').includes('Sales')), 'created message');
    expect(told.text).toContain('/invite @hire-relay');
    expect(told.text).toContain('<#C0JOBSNOBOT>');
    // and /ats jobs keeps saying it, before any card has failed
    expect((await job('Sales'))!.channelIssue?.reason).toBe('not_in_channel');
    h.slack.reset();
    const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'jobs' });
    const list = JSON.stringify(await eventually(() => res.responses()[0], 'jobs list'));
    expect(list).toContain('/invite @hire-relay');
  });

  it('refuses a duplicate name in the modal', async () => {
    const res = await createJobViaSlack(h, T, ADMIN, { name: 'Backend Engineer', channelId: 'C0JOBSDEV' });
    expect(res.responseAction).toBe('errors');
    expect(Object.keys(res.errors ?? {})).toContain('name');
    expect(await h.app.deps.store.jobs.countDocuments({ teamId: T, name: 'Backend Engineer' })).toBe(1);
  });

  it('refuses a look-alike of an existing name (case, full/half width, spacing); the first of each is created', async () => {
    // 'Backend Engineer' exists (first test); バックエンドエンジニア is a different name, created once
    const tries: [string, boolean][] = [
      ['backend engineer', false],
      ['Ｂａｃｋｅｎｄ　Ｅｎｇｉｎｅｅｒ', false],
      ['  Backend   ENGINEER ', false],
      ['バックエンドエンジニア', true],
      ['ﾊﾞｯｸｴﾝﾄﾞｴﾝｼﾞﾆｱ', false],
    ];
    for (const [name, created] of tries) {
      const res = await createJobViaSlack(h, T, ADMIN, { name, channelId: 'C0JOBSDEV' });
      if (created) {
        expect(res.responseAction, name).not.toBe('errors');
        await eventually(() => job(name), `job ${name} stored`);
      } else {
        expect(res.responseAction, name).toBe('errors');
        expect(res.errors?.name, name).toBe('同じ名前の求人がすでにあります。');
      }
    }
    const all = await h.app.deps.store.jobs.find({ teamId: T }).toArray();
    expect(all.filter((j) => /backend|ｂａｃｋｅｎｄ/i.test(j.name)).map((j) => j.name)).toEqual(['Backend Engineer']);
    expect(all.filter((j) => /バックエンド|ﾊﾞｯｸｴﾝﾄﾞ/.test(j.name)).map((j) => j.name)).toEqual(['バックエンドエンジニア']);
    expect((await job('バックエンドエンジニア'))!.nameKey).toBe('バックエンドエンジニア');
    expect((await job('Backend Engineer'))!.nameKey).toBe('backend engineer');
  });

  it('lets a job admin create a job, of which they become an admin', async () => {
    await createJobViaSlack(h, T, JADMIN, { name: 'Frontend', channelId: 'C0JOBSDEV' });
    const j = await eventually(() => job('Frontend'), 'job stored');
    expect(j.admins).toContain(JADMIN);
  });

  it('refuses a job member (no modal, no job, audit-logged)', async () => {
    const before = await h.app.deps.store.jobs.countDocuments({ teamId: T });
    const opens = h.slack.calls('views.open').length;
    const res = await h.slack.slash({ teamId: T, userId: JMEMBER, text: 'job new' });
    const reply = await eventually(() => res.responses()[0], 'refusal');
    expect(JSON.stringify(reply)).toContain('権限がありません');
    expect(h.slack.calls('views.open').length).toBe(opens);
    expect(await h.app.deps.store.jobs.countDocuments({ teamId: T })).toBe(before);
    const audit = await h.app.deps.store.auditLog.findOne({ teamId: T, actorId: JMEMBER, action: 'jobs.create', allowed: false });
    expect(audit).toBeTruthy();
  });
});

describe('/ats jobs', () => {
  it('lists the jobs with their channel and counts', async () => {
    const res = await h.slack.slash({ teamId: T, userId: OTHER, text: 'jobs' });
    const reply = await eventually(() => res.responses()[0], 'jobs list');
    const text = JSON.stringify(reply);
    expect(text).toContain('Backend Engineer');
    expect(text).toContain('<#C0JOBSDEV>');
    expect(text).toContain('candidates');
  });
});

/** `/ats jobs`, the job's Edit button, and the modal submitted with `name` (the rest unchanged). */
async function renameViaSlack(jobId: string, name: string, meanwhile?: () => Promise<void>) {
  h.slack.reset();
  const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'jobs' });
  await eventually(() => res.responses()[0], 'jobs list');
  const msg = h.slack.messages({ teamId: T, ephemeral: true }).at(-1)!;
  const block = (msg.blocks ?? []).find((b) => (b as { accessory?: { value?: string } }).accessory?.value === jobId) as
    | { block_id?: string }
    | undefined;
  expect(block?.block_id, 'the job has an Edit button').toBeTruthy();
  await h.slack.clickButton({
    teamId: T,
    userId: ADMIN,
    actionId: 'job:edit',
    blockId: block!.block_id,
    message: { channel: msg.channel, ts: msg.ts },
  });
  const open = await eventually(() => h.slack.calls('views.open').find((c) => (c.response as { ok?: boolean }).ok), 'edit modal');
  const viewId = (open.response as { view: { id: string } }).view.id;
  await meanwhile?.();
  return h.slack.submitView({ teamId: T, userId: ADMIN, viewId, values: { name: { value: name } } });
}

describe('renaming a job', () => {
  it('refuses a look-alike of another job, and allows another case or width of its own name', async () => {
    await createJobViaSlack(h, T, ADMIN, { name: 'Data Engineer', channelId: 'C0JOBSDEV' });
    const data = await eventually(() => job('Data Engineer'), 'job stored');
    const id = String(data._id);

    const taken = await renameViaSlack(id, 'ｂａｃｋｅｎｄ engineer');
    expect(taken.responseAction).toBe('errors');
    expect(taken.errors?.name).toBe('同じ名前の求人がすでにあります。');
    expect((await h.app.deps.store.jobs.findOne({ _id: data._id }))!.name).toBe('Data Engineer');

    const ok = await renameViaSlack(id, 'DATA ＥＮＧＩＮＥＥＲ');
    expect(ok.responseAction).not.toBe('errors');
    const after = await eventually(() => job('DATA ＥＮＧＩＮＥＥＲ'), 'renamed');
    expect(String(after._id)).toBe(id);
    expect(after.nameKey).toBe('data engineer');

    // a rename to a new name frees the old one
    expect((await renameViaSlack(id, 'Data Scientist')).responseAction).not.toBe('errors');
    await eventually(() => job('Data Scientist'), 'renamed again');
    expect((await createJobViaSlack(h, T, ADMIN, { name: 'data engineer', channelId: 'C0JOBSDEV' })).responseAction).not.toBe('errors');
  });
});

describe('when the bot cannot post in the channel', () => {
  it('not_in_channel: keeps the cards, tells the job admins with the /invite line, and posts them once invited', async () => {
    const admin = await loadActor(h.app.deps, T, ADMIN);
    const sales = (await job('Sales'))!;
    await addRule(h.app.deps, admin, { medium: 'green', pattern: 'Sales', match: 'contains', jobId: String(sales._id) });
    await seedImport(h, T, 'green', { externalId: 'g-sales-1', title: 'Inside Sales' }, 3, { prefix: 'Sales' });
    const dm = await eventually(
      () => dmsTo(JADMIN).find((m) => (m.text ?? '').includes('/invite @hire-relay')),
      'invite DM to the job admin',
    );
    expect(dm.text).toContain('<#C0JOBSNOBOT>');
    const waiting = await h.app.deps.store.candidates.countDocuments({ teamId: T, jobId: sales._id, 'card.state': 'pending' });
    expect(waiting).toBe(3);
    expect(h.slack.messages({ teamId: T, channel: 'C0JOBSNOBOT' })).toHaveLength(0);
    // the bot is invited: the cards come at once, each once
    await h.slack.memberJoined({ teamId: T, userId: bot, channelId: 'C0JOBSNOBOT', inviter: ADMIN });
    await eventually(() => h.slack.messages({ teamId: T, channel: 'C0JOBSNOBOT' }).length === 3, 'three cards posted');
    await eventually(
      async () => (await h.app.deps.store.candidates.countDocuments({ teamId: T, jobId: sales._id, 'card.state': 'posted' })) === 3,
      'cards posted',
    );
    expect((await job('Sales'))!.channelIssue).toBeUndefined();
    // one invite notice only
    expect(dmsTo(JADMIN).filter((m) => (m.text ?? '').includes('/invite @hire-relay'))).toHaveLength(1);
  });

  it('a private channel the bot is not in (channel_not_found): the same /invite advice, and the cards come once invited', async () => {
    await createJobViaSlack(h, T, ADMIN, { name: 'Exec', channelId: 'G0JOBSPRIV', admins: [JADMIN] });
    const exec = await eventually(() => job('Exec'), 'job');
    expect((await eventually(() => dmsTo(ADMIN).find((m) => (m.text ?? '').includes('Exec')), 'created')).text).toContain(
      '/invite @hire-relay',
    );
    const admin = await loadActor(h.app.deps, T, ADMIN);
    await addRule(h.app.deps, admin, { medium: 'openwork', pattern: 'CFO', match: 'exact', jobId: String(exec._id) });
    await seedImport(h, T, 'openwork', { externalId: 'o-cfo', title: 'CFO' }, 2, { prefix: 'Exec' });
    await eventually(
      () => dmsTo(JADMIN).find((m) => (m.text ?? '').includes('<#G0JOBSPRIV>') && (m.text ?? '').includes('/invite')),
      'advice DM',
    );
    expect(await h.app.deps.store.candidates.countDocuments({ teamId: T, jobId: exec._id, 'card.state': 'pending' })).toBe(2);
    await h.slack.memberJoined({ teamId: T, userId: bot, channelId: 'G0JOBSPRIV', inviter: ADMIN });
    await eventually(() => h.slack.messages({ teamId: T, channel: 'G0JOBSPRIV' }).length === 2, 'two cards posted');
  });

  it('archived channel: falls back to DMs to the job admins, and nothing is lost', async () => {
    await createJobViaSlack(h, T, ADMIN, { name: 'Legacy', channelId: 'C0JOBSARCH', admins: [JADMIN, OTHER] });
    const legacy = await eventually(() => job('Legacy'), 'job');
    h.slack.archiveChannel('C0JOBSARCH');
    const admin = await loadActor(h.app.deps, T, ADMIN);
    await addRule(h.app.deps, admin, { medium: 'paiza', pattern: 'COBOL Engineer', match: 'exact', jobId: String(legacy._id) });
    await seedImport(h, T, 'paiza', { externalId: 'p-cobol', title: 'COBOL Engineer' }, 2, { prefix: 'Legacy' });
    await eventually(
      async () =>
        (await h.app.deps.store.candidates.countDocuments({ teamId: T, jobId: legacy._id, 'card.state': 'posted', 'card.via': 'dm' })) ===
        2,
      'cards sent by DM',
    );
    for (const user of [JADMIN, OTHER]) {
      const cards = dmsTo(user).filter((m) => JSON.stringify(m.blocks ?? []).includes('Legacy 00'));
      // cards speak the job creator's language (one card, one language, whoever reads it)
      expect(cards.map((m) => m.text).sort()).toEqual(['新しい候補者: Legacy 001', '新しい候補者: Legacy 002']);
    }
    expect(dmsTo(JADMIN).some((m) => (m.text ?? '').includes('アーカイブ'))).toBe(true);
    expect(h.slack.messages({ teamId: T, channel: 'C0JOBSARCH' })).toHaveLength(0);
  });
});

describe('a channel shared with another organization (Slack Connect)', () => {
  it('is refused for a new job and for an existing one, after the ack (no Slack call before it): told by DM, nothing kept', async () => {
    const res = await createJobViaSlack(h, T, ADMIN, { name: 'Agency Roles', channelId: 'C0JOBSEXT' });
    // the modal closes at once (conversations.info comes after the ack); the save is undone and the user told
    expect(res.responseAction).toBe('close');
    await eventually(() => dmsTo(ADMIN).find((m) => (m.text ?? '').includes('Slack コネクト')), 'the refusal by DM');
    expect(await job('Agency Roles')).toBeNull();
    const { updateJob, checkJobChannel } = await import('../../src/domain/jobs');
    const existing = (await job('Backend Engineer'))!;
    const actor = await loadActor(h.app.deps, T, ADMIN);
    const saved = await updateJob(h.app.deps, actor, String(existing._id), {
      name: existing.name,
      channelId: 'C0JOBSEXT',
      admins: existing.admins,
      members: existing.members,
    });
    expect(await checkJobChannel(h.app.deps, actor, saved.job, saved.before)).toBe('shared');
    expect((await job('Backend Engineer'))!.channelId).toBe('C0JOBSDEV');
  });
});

describe('an edit modal left open', () => {
  it('is refused when the job changed meanwhile (a role given in /ats roles is not undone); reopened, it saves', async () => {
    const { changeRoles } = await import('../../src/domain/roles');
    await createJobViaSlack(h, T, ADMIN, { name: 'Platform Engineer', channelId: 'C0JOBSDEV' });
    const platform = await eventually(() => job('Platform Engineer'), 'job stored');
    const id = String(platform._id);
    const stale = await renameViaSlack(id, 'Platform Engineer (SRE)', async () => {
      await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the modal's version
      await changeRoles(h.app.deps, await loadActor(h.app.deps, T, ADMIN), {
        userId: JMEMBER,
        orgRole: 'keep',
        jobId: id,
        jobRole: 'member',
      });
    });
    expect(stale.responseAction).toBe('errors');
    expect(JSON.stringify(stale.body)).toContain('他の人が変更しました');
    expect((await job('Platform Engineer'))!.members).toContain(JMEMBER);
    const fresh = await renameViaSlack(id, 'Platform Engineer (SRE)');
    expect(fresh.responseAction).not.toBe('errors');
    const saved = (await job('Platform Engineer (SRE)'))!;
    expect(saved.members).toContain(JMEMBER);
  });
});
