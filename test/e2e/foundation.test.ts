import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';

let h: Harness;
const T = 'T0FOUND01';
const T2 = 'T0FOUND02';

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { users: [{ id: 'U0EN', locale: 'en-US' }, { id: 'U0MEMBER' }, { id: 'U0TARGET' }] });
  await h.install(T2, { installer: 'U0OTHERADMIN' });
});
afterAll(() => h?.close());

describe('/ats help', () => {
  it('answers in Japanese by default', async () => {
    const res = await h.slack.slash({ teamId: T, userId: 'U0MEMBER', text: 'help' });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(JSON.stringify(res.json.blocks)).toContain('使い方');
  });
  it('answers in English for an en-US user', async () => {
    const res = await h.slack.slash({ teamId: T, userId: 'U0EN', text: 'help' });
    expect(JSON.stringify(res.json.blocks)).toContain('How to use hire-relay');
  });
});

describe('what people type', () => {
  const admin = `U${T.slice(1)}ADMIN`;
  const replyOf = async (text: string, userId = admin) => {
    const res = await h.slack.slash({ teamId: T, userId, text });
    const r = res.json?.blocks || res.json?.text ? res.json : await eventually(() => res.responses()[0], `reply to ${text}`);
    return JSON.stringify(r);
  };

  it('full-width commands (a Japanese IME) are the same commands', async () => {
    expect(await replyOf('ＨＥＬＰ')).toContain('使い方');
    const jobs = await replyOf('ｊｏｂｓ');
    expect(jobs).not.toContain('というコマンドはありません');
    expect(jobs).toContain('求人');
  });

  it('/ats link without a medium asks which one, and lists them', async () => {
    const r = await replyOf('link');
    expect(r).toContain('どの媒体を連携しますか');
    expect(r).toContain('wantedly');
    expect(r).not.toContain('「」');
  });

  it('a long unknown command is cut without breaking an emoji in half', async () => {
    const r = await replyOf(`${'a'.repeat(99)}😀x`);
    expect(r).toContain('というコマンドはありません');
    expect(JSON.parse(r).text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('/ats roles', () => {
  it('lets an org admin change a role, stored in MongoDB', async () => {
    const admin = `U${T.slice(1)}ADMIN`;
    const res = await h.slack.slash({ teamId: T, userId: admin, text: 'roles' });
    expect(res.status).toBe(200);
    const open = await h.slack.waitForCall('views.open');
    const viewId = (open.response as { view: { id: string } }).view.id;
    const sub = await h.slack.submitView({
      userId: admin,
      viewId,
      values: { user: { value: 'U0TARGET' }, org_role: { value: 'limited' } },
    });
    expect(sub.responseAction).not.toBe('errors');
    const member = await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: 'U0TARGET' }), 'member doc');
    expect(member.orgRole).toBe('limited');
  });

  it('giving a job role leaves the org role alone (the modal starts at "no change"), and says only what changed', async () => {
    const admin = `U${T.slice(1)}ADMIN`;
    const job = await h.app.deps.store.jobs.insertOne({
      teamId: T,
      name: 'Designer',
      channelId: 'C0FOUNDJOB',
      admins: [],
      members: [],
      createdBy: admin,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const open = async () => {
      const before = h.slack.calls('views.open').length;
      await h.slack.slash({ teamId: T, userId: admin, text: 'roles' });
      const call = await eventually(() => h.slack.calls('views.open').slice(before)[0], 'roles modal');
      expect(JSON.stringify(call.args)).toContain('変更しない');
      return (call.response as { view: { id: string } }).view.id;
    };
    // U0TARGET is limited (above); the installer is the only org admin
    for (const [user, role] of [
      ['U0TARGET', 'limited'],
      [admin, 'org_admin'],
    ] as const) {
      h.slack.reset();
      const res = await h.slack.submitView({
        userId: admin,
        viewId: await open(),
        values: { user: { value: user }, job: { value: String(job.insertedId) }, job_role: { value: 'member' } },
      });
      expect(res.responseAction).not.toBe('errors');
      await eventually(async () => (await h.app.deps.store.jobs.findOne({ _id: job.insertedId }))?.members.includes(user), 'job member');
      expect((await h.app.deps.store.members.findOne({ teamId: T, userId: user }))?.orgRole).toBe(role);
      const said = await eventually(() => h.slack.messages({ teamId: T }).find((m) => (m.text ?? '').includes('Designer')), 'confirmation');
      expect(said.text).not.toContain('権限を「');
    }
    // nothing chosen: an error under the org role, nothing changes
    const none = await h.slack.submitView({ userId: admin, viewId: await open(), values: { user: { value: 'U0TARGET' } } });
    expect(none.responseAction).toBe('errors');
    expect(JSON.stringify(none.body)).toContain('org_role');
    expect((await h.app.deps.store.members.findOne({ teamId: T, userId: 'U0TARGET' }))?.orgRole).toBe('limited');
  });

  it('refuses a job member, changes nothing, and audit-logs it', async () => {
    h.slack.reset();
    const res = await h.slack.slash({ teamId: T, userId: 'U0MEMBER', text: 'roles' });
    expect(res.status).toBe(200);
    const reply = await eventually(() => res.responses()[0], 'ephemeral refusal');
    expect(JSON.stringify(reply)).toContain('権限がありません');
    expect(h.slack.calls('views.open')).toHaveLength(0);
    const audit = await h.app.deps.store.auditLog.findOne({ teamId: T, actorId: 'U0MEMBER', allowed: false });
    expect(audit?.action).toBe('roles.manage');
  });
});

describe('the last org admin', () => {
  it('two org admins demoting each other at the same moment leave at least one org admin', async () => {
    const { changeRoles } = await import('../../src/domain/roles');
    const { loadActor, setOrgRoleUnchecked } = await import('../../src/domain/members');
    const T3 = 'T0FOUND03';
    await h.install(T3, { installer: 'U0RACEA', users: [{ id: 'U0RACEB', isAdmin: true }] });
    await setOrgRoleUnchecked(h.app.deps, T3, 'U0RACEB', 'org_admin', 'test');
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([loadActor(h.app.deps, T3, 'U0RACEA'), loadActor(h.app.deps, T3, 'U0RACEB')]);
      await Promise.allSettled([
        changeRoles(h.app.deps, a, { userId: 'U0RACEB', orgRole: 'standard', jobId: null, jobRole: null }),
        changeRoles(h.app.deps, b, { userId: 'U0RACEA', orgRole: 'standard', jobId: null, jobRole: null }),
      ]);
      const admins = await h.app.deps.store.members.countDocuments({ teamId: T3, orgRole: 'org_admin' });
      expect(admins).toBeGreaterThanOrEqual(1);
      // make both admins again for the next round
      for (const u of ['U0RACEA', 'U0RACEB']) await setOrgRoleUnchecked(h.app.deps, T3, u, 'org_admin', 'test');
    }
  });
});

describe('background errors', () => {
  it('an Agenda error (e.g. the database unreachable while polling) is logged, not thrown', () => {
    h.app.agenda.emit('error', new Error('simulated poll failure'));
    expect(h.logs.some((l) => l.includes('agenda error') && l.includes('simulated poll failure'))).toBe(true);
  });
});

describe('healthz', () => {
  it('reports the database', async () => {
    const res = await fetch(`${h.app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ db: 'ok' });
  });
});
