/**
 * Workspace isolation: every read and write is scoped by the team the request came from. An org admin
 * of A cannot reach B's members or jobs by crafting a view_submission with B's ids; members and audit
 * documents always carry the acting team's id; B's installer has no role in A.
 */
import { createHmac } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, SIGNING_SECRET, type Harness } from '../helpers/app';
import type { SentRequest } from '../../emulators/slack/index';

let h: Harness;
const A = 'T0ISOA';
const B = 'T0ISOB';
const ADMIN_A = 'U0ISOAADMIN';
const ADMIN_B = 'U0ISOBADMIN';
const USER_A = 'U0ISOAUSER';
const USER_B = 'U0ISOBUSER';
const GUEST_A = 'U0ISOAGUEST';
let jobA: ObjectId;
let jobB: ObjectId;

const now = () => Math.floor(Date.now() / 1000);

/** Slack would deliver whatever a tampered client put in state.values; sign it as Slack does. */
function resignedSubmission(template: SentRequest, mutate: (payload: any) => void): SentRequest {
  const payload = JSON.parse(new URLSearchParams(template.body).get('payload')!);
  mutate(payload);
  payload.trigger_id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${Math.random().toString(16).slice(2)}`;
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = now();
  const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { ...template, body, headers: { ...template.headers, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig } };
}

async function openRolesModal(teamId: string, userId: string): Promise<string> {
  const seen = h.slack.calls('views.open').length;
  const res = await h.slack.slash({ teamId, userId, text: 'roles' });
  expect(res.status).toBe(200);
  const open = await h.slack.waitFor(() => h.slack.calls('views.open').slice(seen)[0]);
  const view = (open.response as { ok: boolean; view?: { id: string } }).view;
  expect(view, JSON.stringify(open.response)).toBeDefined();
  return view!.id;
}

async function bDocs() {
  const s = h.app.deps.store;
  return JSON.stringify({
    members: await s.members.find({ teamId: B }).sort({ userId: 1 }).toArray(),
    jobs: await s.jobs.find({ teamId: B }).toArray(),
  });
}

beforeAll(async () => {
  h = await startHarness();
  await h.install(A, { installer: ADMIN_A, users: [{ id: USER_A }, { id: GUEST_A, isRestricted: true }] });
  await h.install(B, { installer: ADMIN_B, users: [{ id: USER_B }] });
  const s = h.app.deps.store;
  const base = { channelId: 'C0ISO', members: [] as string[], createdAt: new Date(), updatedAt: new Date() };
  jobA = (await s.jobs.insertOne({ ...base, teamId: A, name: 'Backend A', admins: [], createdBy: ADMIN_A })).insertedId;
  jobB = (await s.jobs.insertOne({ ...base, teamId: B, name: 'Backend B', admins: [ADMIN_B], createdBy: ADMIN_B })).insertedId;
  // B's user is a limited member in B: the attacker would like to make them an admin
  await s.members.updateOne(
    { teamId: B, userId: USER_B },
    { $set: { orgRole: 'limited', updatedAt: new Date(), updatedBy: ADMIN_B } },
    { upsert: true },
  );
});
afterAll(() => h?.close());

describe('an org admin of A crafting submissions with B ids', () => {
  it("cannot change the role of B's user (the user is looked up in A, refused, nothing written)", async () => {
    h.slack.reset();
    const before = await bDocs();
    const viewId = await openRolesModal(A, ADMIN_A);
    // users_select accepts any user id the client sends
    const sub = await h.slack.submitView({
      teamId: A,
      userId: ADMIN_A,
      viewId,
      values: { user: { value: USER_B }, org_role: { value: 'org_admin' } },
    });
    expect(sub.status).toBe(200);
    expect(sub.responseAction).toBe('errors');
    expect(await bDocs()).toBe(before);
    expect(await h.app.deps.store.members.findOne({ teamId: A, userId: USER_B })).toBeNull();
    expect(await h.app.deps.store.members.findOne({ userId: USER_B, orgRole: 'org_admin' })).toBeNull();
  });

  it("cannot give anyone a role on B's job (job id from B in A's submission)", async () => {
    h.slack.reset();
    const viewId = await openRolesModal(A, ADMIN_A);
    const legit = await h.slack.submitView({
      teamId: A,
      userId: ADMIN_A,
      viewId,
      values: { user: { value: USER_A }, org_role: { value: 'standard' }, job: { value: String(jobA) }, job_role: { value: 'member' } },
    });
    expect(legit.responseAction).toBe('close');
    await eventually(() => h.app.deps.store.jobs.findOne({ _id: jobA, members: USER_A }), 'legit job role in A');

    const before = await bDocs();
    const crafted = resignedSubmission(legit.request, (p) => {
      p.view.state.values.job.value.selected_option = { text: { type: 'plain_text', text: 'x' }, value: String(jobB) };
      p.view.state.values.job_role.value.selected_option = { text: { type: 'plain_text', text: 'x' }, value: 'admin' };
    });
    const res = await h.slack.raw(crafted);
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('errors');
    expect(await bDocs()).toBe(before);
    const jb = await h.app.deps.store.jobs.findOne({ _id: jobB });
    expect(jb?.admins).toEqual([ADMIN_B]);
    expect(jb?.members).toEqual([]);
  });

  it("a submission claiming B's team in the payload but signed for A's user is refused or scoped to B's own roles", async () => {
    // team.id is what Slack says; a user of A cannot appear as acting in B. If such a payload arrived,
    // the actor would be loaded in B, where ADMIN_A has no role: refused.
    const viewId = await openRolesModal(A, ADMIN_A);
    const legit = await h.slack.submitView({
      teamId: A,
      userId: ADMIN_A,
      viewId,
      values: { user: { value: USER_A }, org_role: { value: 'standard' } },
    });
    expect(legit.responseAction).toBe('close');
    const before = await bDocs();
    // the user directory has asked B's Slack about ADMIN_A (unknown there); before that, the same
    // payload is answered "try again in a moment" and decides nothing
    await h.app.deps.slack.userFacts(B, ADMIN_A, { waitMs: 10_000 });
    const crafted = resignedSubmission(legit.request, (p) => {
      p.team = { id: B, domain: 'b' };
      p.user.team_id = B;
      p.view.team_id = B;
      p.view.state.values.user.value.selected_user = USER_B;
      p.view.state.values.org_role.value.selected_option = { text: { type: 'plain_text', text: 'x' }, value: 'org_admin' };
    });
    const res = await h.slack.raw(crafted);
    expect(res.status).toBe(200);
    expect(await bDocs()).toBe(before);
    const refusal = await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: B, actorId: ADMIN_A, allowed: false }),
      'refusal audited in B',
    );
    expect(refusal.action).toBe('roles.manage');
  });
});

describe('documents carry the right teamId', () => {
  it('members and audit entries written by actions in A and B name the acting team', async () => {
    // an allowed change in B and a refused attempt in A
    h.slack.reset();
    const viewId = await openRolesModal(B, ADMIN_B);
    await h.slack.submitView({ teamId: B, userId: ADMIN_B, viewId, values: { user: { value: USER_B }, org_role: { value: 'standard' } } });
    await eventually(() => h.app.deps.store.members.findOne({ teamId: B, userId: USER_B, orgRole: 'standard' }), 'B change');
    const refused = await h.slack.slash({ teamId: A, userId: USER_A, text: 'roles' });
    await eventually(() => refused.responses()[0], 'refusal in A');

    const teamOf = (userId: string) => h.slack.state.users.get(userId)?.teamId;
    const s = h.app.deps.store;
    const members = await s.members.find({}).toArray();
    expect(members.length).toBeGreaterThanOrEqual(4);
    for (const m of members) expect({ user: m.userId, team: m.teamId }).toEqual({ user: m.userId, team: teamOf(m.userId) });

    const audit = await s.auditLog.find({}).toArray();
    expect(audit.some((a) => a.teamId === A && a.actorId === USER_A && !a.allowed)).toBe(true);
    expect(audit.some((a) => a.teamId === B && a.actorId === ADMIN_B && a.allowed)).toBe(true);
    for (const a of audit) {
      if (a.actorId === ADMIN_A && a.teamId === B) continue; // the crafted cross-team payload above, refused and recorded in B
      expect({ actor: a.actorId, team: a.teamId }).toEqual({ actor: a.actorId, team: teamOf(a.actorId) });
      const target = a.target?.userId as string | undefined;
      if (target && a.allowed) expect(teamOf(target)).toBe(a.teamId);
    }
    for (const doc of await s.jobs.find({}).toArray()) expect([A, B]).toContain(doc.teamId);
    for (const doc of await s.installations.find({}).toArray()) expect(doc._id).toBe(doc.teamId);
  });
});

describe("B's installer", () => {
  it('is an org admin in B and has no role in A', async () => {
    const s = h.app.deps.store;
    expect((await s.members.findOne({ teamId: B, userId: ADMIN_B }))?.orgRole).toBe('org_admin');
    expect(await s.members.findOne({ teamId: A, userId: ADMIN_B })).toBeNull();
    expect((await s.members.find({ teamId: A, orgRole: 'org_admin' }).toArray()).map((m) => m.userId)).toEqual([ADMIN_A]);
  });

  it("a command arriving in A as B's installer (e.g. a shared channel) is refused", async () => {
    h.slack.reset();
    // take a real /ats command from A and swap in B's installer as the user
    const probe = await h.slack.slash({ teamId: A, userId: USER_A, text: 'help' });
    const form = new URLSearchParams(probe.request.body);
    form.set('user_id', ADMIN_B);
    form.set('text', 'roles');
    form.set('trigger_id', `${Date.now()}.1.abc`);
    const body = form.toString();
    const ts = now();
    const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await h.slack.raw({
      ...probe.request,
      body,
      headers: { ...probe.request.headers, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
    });
    expect(res.status).toBe(200);
    const refusal = await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: A, actorId: ADMIN_B, allowed: false }),
      'refusal in A',
    );
    expect(refusal.action).toBe('roles.manage');
    expect(h.slack.calls('views.open')).toHaveLength(0);
    expect(await h.app.deps.store.members.findOne({ teamId: A, userId: ADMIN_B, orgRole: 'org_admin' })).toBeNull();
  });
});

describe('people without a role who are not full members of the workspace', () => {
  /** Sends `/ats <text>` to A as `userId` (signed as Slack would), returns the reply. */
  async function asUser(userId: string, text: string) {
    const probe = await h.slack.slash({ teamId: A, userId: USER_A, text: 'help' });
    const form = new URLSearchParams(probe.request.body);
    form.set('user_id', userId);
    form.set('text', text);
    form.set('trigger_id', `${Date.now()}.${Math.floor(Math.random() * 1e9)}.abc`);
    const body = form.toString();
    const ts = now();
    const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    return h.slack.raw({
      ...probe.request,
      body,
      headers: { ...probe.request.headers, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
    });
  }

  it.each([
    ['a Slack guest of A', GUEST_A],
    ["B's installer in a channel shared with A (users.info in A does not know them)", ADMIN_B],
  ])('%s cannot list A’s media accounts or jobs (limited access), and it is audit-logged', async (_who, userId) => {
    for (const [text, action] of [
      ['accounts', 'accounts.view'],
      ['jobs', 'jobs.view'],
    ] as const) {
      const before = await h.app.deps.store.auditLog.countDocuments({ teamId: A, actorId: userId, action, allowed: false });
      const res = await asUser(userId, text);
      expect(res.status).toBe(200);
      await eventually(
        async () => (await h.app.deps.store.auditLog.countDocuments({ teamId: A, actorId: userId, action, allowed: false })) > before,
        `${text} refused`,
      );
    }
    expect(await h.app.deps.store.members.findOne({ teamId: A, userId })).toBeNull();
  });

  it('a full member of A without a role (standard) can list them', async () => {
    const res = await asUser(USER_A, 'jobs');
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await h.app.deps.store.auditLog.findOne({ teamId: A, actorId: USER_A, action: 'jobs.view', allowed: false })).toBeNull();
  });
});
