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

describe('/ats roles', () => {
  it('lets an org admin change a role, stored in MongoDB', async () => {
    const admin = `U${T.slice(1)}ADMIN`;
    const res = await h.slack.slash({ teamId: T, userId: admin, text: 'roles' });
    expect(res.status).toBe(200);
    const open = await h.slack.waitForCall('views.open');
    const viewId = (open.response as { view: { id: string } }).view.id;
    const sub = await h.slack.submitView({ userId: admin, viewId, values: { user: { value: 'U0TARGET' }, org_role: { value: 'limited' } } });
    expect(sub.responseAction).not.toBe('errors');
    const member = await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: 'U0TARGET' }), 'member doc');
    expect(member.orgRole).toBe('limited');
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
