/**
 * Request signing on POST /slack/events (Slack's v0 HMAC over `v0:<ts>:<body>`, 5-minute window):
 * unsigned, wrongly signed, stale, future-dated and replayed requests are refused with 401 before any listener
 * runs — no Slack API call, nothing written to members/auditLog. And an internal error shows the
 * user a short reference id, never a stack trace, with the same id in the logs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, SIGNING_SECRET, type Harness } from '../helpers/app';
import type { SentRequest } from '../../emulators/slack/index';

let h: Harness;
const T = 'T0SEC01';
const ADMIN = 'U0SEC01ADMIN';
const VICTIM = 'U0SECVICTIM';
const TARGET = 'U0SECTARGET';

/** Captured, correctly signed requests of each kind, taken from legitimate deliveries. */
const templates: Record<'slash' | 'submission' | 'event', SentRequest> = {} as never;

async function snapshot() {
  const db = h.app.deps.store;
  const [members, audit] = await Promise.all([
    db.members.find({}).sort({ teamId: 1, userId: 1 }).toArray(),
    db.auditLog.find({}).sort({ at: 1 }).toArray(),
  ]);
  return JSON.stringify({ members, audit });
}

/**
 * A correctly signed request (signed 10 s ago, as if captured on the wire) that was never delivered,
 * with a fresh trigger_id / event_id so that, were it acted on, the effect would be visible (and not
 * dropped by the retry dedupe). The submission is rewritten to make VICTIM an org admin.
 */
function captured(kind: keyof typeof templates): SentRequest {
  const t = templates[kind];
  let body = t.body;
  const fresh = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(8).toString('hex')}`;
  if (kind === 'slash') {
    const form = new URLSearchParams(body);
    form.set('trigger_id', fresh);
    body = form.toString();
  } else if (kind === 'submission') {
    const payload = JSON.parse(new URLSearchParams(body).get('payload')!);
    payload.trigger_id = fresh;
    const text = JSON.stringify(payload).replaceAll(TARGET, VICTIM).replaceAll('"limited"', '"org_admin"');
    body = `payload=${encodeURIComponent(text)}`;
  } else {
    const envelope = JSON.parse(body);
    envelope.event_id = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    body = JSON.stringify(envelope);
  }
  const ts = now() - 10;
  return {
    ...t,
    body,
    headers: { ...t.headers, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(SIGNING_SECRET, ts, body) },
  };
}

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { installer: ADMIN, users: [{ id: VICTIM }, { id: TARGET }] });

  // legitimate traffic, captured as templates: a slash command, a view submission and an event
  const slash = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'roles' });
  expect(slash.status).toBe(200);
  templates.slash = slash.request;
  const open = await h.slack.waitForCall('views.open');
  const viewId = (open.response as { view: { id: string } }).view.id;
  const sub = await h.slack.submitView({ userId: ADMIN, viewId, values: { user: { value: TARGET }, org_role: { value: 'limited' } } });
  expect(sub.status).toBe(200);
  expect(sub.responseAction).not.toBe('errors');
  templates.submission = sub.request;
  await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: TARGET, orgRole: 'limited' }), 'legit role change');
  const ev = await h.slack.openHome({ teamId: T, userId: ADMIN });
  expect(ev.status).toBe(200);
  templates.event = ev.request;
  await h.slack.waitForCall('views.publish');
});
afterAll(() => h?.close());

const now = () => Math.floor(Date.now() / 1000);
const sign = (secret: string, ts: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

type Attack = (req: SentRequest) => ReturnType<Harness['slack']['raw']>;
const attacks: Record<string, Attack> = {
  'unsigned (no signature, no timestamp)': (req) => h.slack.raw(req, { omitHeaders: ['x-slack-signature', 'x-slack-request-timestamp'] }),
  'no signature header': (req) => h.slack.raw(req, { timestamp: now(), omitHeaders: ['x-slack-signature'] }),
  'no timestamp header': (req) => h.slack.raw(req, { omitHeaders: ['x-slack-request-timestamp'] }),
  'wrong signature (random hex)': (req) => h.slack.raw(req, { timestamp: now(), signature: `v0=${'ab'.repeat(32)}` }),
  'signature of another version (v1=)': (req) => {
    const ts = now();
    return h.slack.raw(req, { timestamp: ts, signature: sign(SIGNING_SECRET, ts, req.body).replace('v0=', 'v1=') });
  },
  'signed with another secret': (req) => {
    const ts = now();
    return h.slack.raw(req, { timestamp: ts, signature: sign('not-the-signing-secret', ts, req.body) });
  },
  'body changed after signing': (req) => h.slack.raw(req, { body: `${req.body} `, keepSignature: true }),
  'timestamp 6 minutes old, correctly signed for it': (req) => h.slack.raw(req, { timestamp: now() - 6 * 60 }),
  'timestamp 10 minutes in the future, correctly signed for it': (req) => h.slack.raw(req, { timestamp: now() + 10 * 60 }),
  'timestamp a year in the future, correctly signed for it': (req) => h.slack.raw(req, { timestamp: now() + 365 * 86_400 }),
  'replay: new timestamp, old signature': (req) => h.slack.raw(req, { timestamp: now() + 1, keepSignature: true }),
};

describe('POST /slack/events refuses requests that are not from Slack', () => {
  const kinds = ['slash', 'submission', 'event'] as const;
  const matrix = kinds.flatMap((kind) => Object.keys(attacks).map((attack) => ({ kind, attack })));

  it.each(matrix)('$kind: $attack → 401, no listener ran', async ({ kind, attack }) => {
    const req = captured(kind);
    h.slack.reset();
    const before = await snapshot();
    const res = await attacks[attack](req);
    expect(res.status).toBe(401);
    // nothing acknowledged as a Slack reply either
    expect(res.json?.response_action).toBeUndefined();
    expect(res.json?.blocks).toBeUndefined();

    // A legitimate sentinel request after the attack: once its effect is visible, anything the
    // refused request could have triggered would be visible too.
    const sentinel = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'help' });
    expect(sentinel.status).toBe(200);
    await eventually(
      async () => (await h.app.deps.store.deliveries.countDocuments({ _id: `${T}:trigger:${sentinel.triggerId}` })) > 0,
      'sentinel delivery',
    );

    const methods = h.slack
      .calls()
      .map((c) => c.method)
      .filter((m) => m !== 'users.info');
    expect(methods).toEqual([]);
    expect(h.slack.calls('users.info').filter((c) => c.args.user !== ADMIN)).toEqual([]);
    expect(h.slack.calls('views.open')).toHaveLength(0);
    expect(h.slack.calls('views.publish')).toHaveLength(0);
    expect(await snapshot()).toBe(before);
    expect(await h.app.deps.store.members.findOne({ teamId: T, userId: VICTIM })).toBeNull();
  });

  it('refuses a plain GET and a non-Slack content type without running anything', async () => {
    h.slack.reset();
    const before = await snapshot();
    const get = await fetch(`${h.app.url}/slack/events`);
    expect(get.status).not.toBe(200);
    const junk = await fetch(`${h.app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"event_callback"}',
    });
    expect(junk.status).toBe(401);
    expect(h.slack.calls()).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

// Control: the same captured requests, re-signed now, are acted on, so the matrix above can fail.
describe('the captured requests, correctly signed now, are accepted and acted on', () => {
  it('event → views.publish', async () => {
    h.slack.reset();
    expect((await h.slack.raw(captured('event'), { timestamp: now() })).status).toBe(200);
    await h.slack.waitForCall('views.publish');
  });
  it('slash command → views.open', async () => {
    h.slack.reset();
    expect((await h.slack.raw(captured('slash'), { timestamp: now() })).status).toBe(200);
    await h.slack.waitForCall('views.open');
  });
  it("view submission → the victim's role changes", async () => {
    const res = await h.slack.raw(captured('submission'), { timestamp: now() });
    expect(res.status).toBe(200);
    await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: VICTIM, orgRole: 'org_admin' }), 'victim changed');
  });
});

describe('internal errors', () => {
  it('show the user a reference id and no stack trace; the logs hold the same id', async () => {
    h.slack.reset();
    h.slack.failNext('views.open', 'internal_error');
    const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'roles' });
    expect(res.status).toBe(200);
    const reply = await eventually(() => res.responses()[0], 'error reply');
    const text = JSON.stringify(reply.body ?? reply);
    const m = /問い合わせ番号: ([0-9A-F]{8})/.exec(text);
    expect(m, text).not.toBeNull();
    const ref = m![1];
    expect(text).not.toMatch(/\bat .+\(.*:\d+:\d+\)/);
    expect(text).not.toMatch(/\\n\s+at /);
    expect(text).not.toContain('internal_error');
    expect(text).not.toContain('Error:');
    expect(text).not.toContain('.ts');
    expect(text.length).toBeLessThan(400);
    // the operator can find it: the log line with this ref carries the error
    const line = await eventually(() => h.logs.find((l) => l.includes(`"ref":"${ref}"`)), 'log line with the ref');
    const log = JSON.parse(line);
    expect(log.level).toBe(50);
    expect(JSON.stringify(log.err)).toContain('internal_error');
    // and the failure changed nothing
    expect(h.slack.calls('views.open')).toHaveLength(1);
  });

  it('answers in English for an English user', async () => {
    h.slack.addUser({ teamId: T, id: 'U0SECEN', name: 'en-admin', locale: 'en-US' });
    await h.app.deps.store.members.updateOne(
      { teamId: T, userId: 'U0SECEN' },
      { $set: { orgRole: 'org_admin', updatedAt: new Date() } },
      { upsert: true },
    );
    await h.app.deps.slack.userFacts(T, 'U0SECEN', { waitMs: 10_000 }); // the user directory has read them
    h.slack.reset();
    h.slack.failNext('views.open', 'fatal_error');
    const res = await h.slack.slash({ teamId: T, userId: 'U0SECEN', text: 'roles' });
    const reply = await eventually(() => res.responses()[0], 'error reply');
    expect(JSON.stringify(reply)).toMatch(/Reference: [0-9A-F]{8}/);
  });
});
