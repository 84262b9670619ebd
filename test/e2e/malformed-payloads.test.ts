/**
 * Correctly signed Slack payloads of the wrong shape (issue 13, defect 5). A modal field with a value
 * of the wrong type is answered with a field error under that field in the user's language; a
 * payload without what every request of its kind has (a user, a team, a view and its state, the
 * actions, an options request's value, an event) is refused with 400 at once. Neither writes
 * anything, neither logs a stack, and the app serves `/ats help` afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, startHarness, type Harness } from '../helpers/app';

let h: Harness;
const T = 'T0MALF1';
const ADMIN = 'U0MALF1ADMIN';
const EN = 'U0MALF1EN';

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { installer: ADMIN, users: [{ id: EN, locale: 'en-US' }] });
  h.slack.addChannel({ teamId: T, id: 'C0MALF1', name: 'backend', members: [ADMIN, h.slack.botUser(T).userId] });
});
afterAll(() => h?.close());

/** The business collections of the workspace, in a canonical order. */
async function dump(): Promise<string> {
  const s = h.app.deps.store;
  const all = await Promise.all(
    [s.orgs, s.members, s.jobs, s.mediaAccounts, s.postings, s.mappingRules, s.candidates].map((c) =>
      c.find({}).sort({ _id: 1 }).toArray(),
    ),
  );
  return JSON.stringify(all);
}

let seq = 0;
const user = (id = ADMIN) => ({ id, team_id: T, username: id.toLowerCase(), name: id.toLowerCase() });
const team = { id: T, domain: 'malf' };
const trigger = () => `${Date.now()}.${++seq}.malformed`;

function jobSubmission(values: Record<string, unknown>, who = ADMIN): Record<string, unknown> {
  return {
    type: 'view_submission',
    api_app_id: 'A0TEST',
    token: 'legacy',
    trigger_id: trigger(),
    user: user(who),
    team,
    view: {
      id: `V0MALF${++seq}`,
      type: 'modal',
      team_id: T,
      callback_id: 'job:save',
      private_metadata: JSON.stringify({ jobId: null }),
      blocks: [],
      state: {
        values: {
          name: { value: { type: 'plain_text_input', value: 'Backend engineer' } },
          channel: { value: { type: 'conversations_select', selected_conversation: 'C0MALF1' } },
          admins: { value: { type: 'multi_users_select', selected_users: [] } },
          members: { value: { type: 'multi_users_select', selected_users: [] } },
          ...values,
        },
      },
    },
  };
}

async function send(payload: unknown): Promise<{ status: number; json: any }> {
  const res = await postSigned(h, `payload=${encodeURIComponent(JSON.stringify(payload))}`, undefined, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function sendJson(body: unknown): Promise<number> {
  const res = await postSigned(h, JSON.stringify(body), 'application/json', { signal: AbortSignal.timeout(10_000) });
  await res.text();
  return res.status;
}

function noStackSince(from: number) {
  const lines = h.logs.slice(from);
  expect(lines.filter((l) => l.includes('"stack"') || /\n\s+at /.test(l))).toEqual([]);
  expect(lines.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
}

async function helpStillWorks() {
  const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'help' });
  expect(res.status).toBe(200);
}

describe('a modal field of the wrong type', () => {
  const cases: { name: string; values: Record<string, unknown>; field: string }[] = [
    { name: 'a number for the name', values: { name: { value: { type: 'plain_text_input', value: 42 } } }, field: 'name' },
    { name: 'an object for the name', values: { name: { value: { type: 'plain_text_input', value: { a: 1 } } } }, field: 'name' },
    {
      name: 'a string for the admins',
      values: { admins: { value: { type: 'multi_users_select', selected_users: 'U0MALF1ADMIN' } } },
      field: 'admins',
    },
    {
      name: 'an array for the channel',
      values: { channel: { value: { type: 'conversations_select', selected_conversation: ['C1'] } } },
      field: 'channel',
    },
    { name: 'a block that is an array', values: { name: [1, 2] }, field: 'name' },
    { name: 'an element that is a string', values: { members: { value: 'U0MALF1ADMIN' } }, field: 'members' },
  ];

  it.each(cases)('$name → response_action errors on that field, in Japanese; nothing written', async ({ values, field }) => {
    const before = await dump();
    const from = h.logs.length;
    const r = await send(jobSubmission(values));
    expect(r.status).toBe(200);
    expect(r.json?.response_action).toBe('errors');
    expect(Object.keys(r.json.errors)).toEqual([field]);
    expect(r.json.errors[field]).toMatch(/[ぁ-んァ-ン一-龯]/);
    expect(await dump()).toBe(before);
    noStackSince(from);
  });

  it('in English for a user whose Slack is in English', async () => {
    await h.app.deps.store.members.updateOne({ teamId: T, userId: EN }, { $set: { orgRole: 'org_admin' } }, { upsert: true });
    const r = await send(jobSubmission({ name: { value: { type: 'plain_text_input', value: 7 } } }, EN));
    expect(r.json?.response_action).toBe('errors');
    expect(r.json.errors.name).toMatch(/^[\x20-\x7e]+$/);
  });

  it('the same submission with the right types creates the job (the cases above fail on the type alone)', async () => {
    const r = await send(jobSubmission({}));
    expect(r.status).toBe(200);
    expect(r.json?.response_action, JSON.stringify(r.json)).not.toBe('errors');
  });
});

describe('a structurally broken payload', () => {
  const base = () => jobSubmission({});
  const cases: { name: string; payload: () => Record<string, unknown> }[] = [
    { name: 'view_submission without user', payload: () => ({ ...base(), user: undefined }) },
    { name: 'view_submission with user as a string', payload: () => ({ ...base(), user: ADMIN }) },
    { name: 'view_submission with a numeric user id', payload: () => ({ ...base(), user: { id: 5, team_id: T } }) },
    { name: 'view_submission without team', payload: () => ({ ...base(), team: undefined, user: { id: ADMIN } }) },
    { name: 'view_submission without view', payload: () => ({ ...base(), view: undefined }) },
    { name: 'view_submission with view as an array', payload: () => ({ ...base(), view: [] }) },
    {
      name: 'view_submission without view.state',
      payload: () => {
        const p = base();
        delete (p.view as Record<string, unknown>).state;
        return p;
      },
    },
    {
      name: 'view_submission with view.state.values a string',
      payload: () => {
        const p = base();
        (p.view as Record<string, unknown>).state = { values: 'x' };
        return p;
      },
    },
    {
      name: 'view_submission with a numeric callback_id',
      payload: () => {
        const p = base();
        (p.view as Record<string, unknown>).callback_id = 12;
        return p;
      },
    },
    {
      name: 'block_actions without actions',
      payload: () => ({ type: 'block_actions', user: user(), team, trigger_id: trigger(), container: { type: 'view', view_id: 'V1' } }),
    },
    {
      name: 'block_actions with actions an object',
      payload: () => ({ type: 'block_actions', user: user(), team, trigger_id: trigger(), actions: { action_id: 'job:new' } }),
    },
    {
      name: 'block_actions with an empty actions list',
      payload: () => ({ type: 'block_actions', user: user(), team, trigger_id: trigger(), actions: [] }),
    },
    {
      name: 'block_actions with a numeric action_id',
      payload: () => ({ type: 'block_actions', user: user(), team, trigger_id: trigger(), actions: [{ action_id: 3, block_id: 'b' }] }),
    },
    {
      name: 'block_actions without user',
      payload: () => ({
        type: 'block_actions',
        team,
        trigger_id: trigger(),
        actions: [{ action_id: 'job:new', block_id: 'b', type: 'button' }],
      }),
    },
    {
      name: 'block_suggestion without value',
      payload: () => ({ type: 'block_suggestion', user: user(), team, action_id: 'map:job', block_id: 'b' }),
    },
    {
      name: 'block_suggestion with a numeric value',
      payload: () => ({ type: 'block_suggestion', user: user(), team, action_id: 'map:job', block_id: 'b', value: 5 }),
    },
  ];

  it.each(cases)('$name → 400, nothing written, no stack', async ({ payload }) => {
    const before = await dump();
    const from = h.logs.length;
    const r = await send(payload());
    expect(r.status).toBe(400);
    expect(await dump()).toBe(before);
    noStackSince(from);
    await helpStillWorks();
  });

  const events: { name: string; body: Record<string, unknown> }[] = [
    { name: 'an event_callback without event', body: { type: 'event_callback', team_id: T, event_id: 'Ev0MALF1' } },
    { name: 'an event that is a string', body: { type: 'event_callback', team_id: T, event_id: 'Ev0MALF2', event: 'app_home_opened' } },
    {
      name: 'app_home_opened with a numeric user',
      body: { type: 'event_callback', team_id: T, event_id: 'Ev0MALF3', event: { type: 'app_home_opened', user: 5, tab: 'home' } },
    },
    {
      name: 'tokens_revoked with tokens a string',
      body: { type: 'event_callback', team_id: T, event_id: 'Ev0MALF4', event: { type: 'tokens_revoked', tokens: 'all' } },
    },
    {
      name: 'an event_callback without team_id',
      body: { type: 'event_callback', event_id: 'Ev0MALF5', event: { type: 'app_uninstalled' } },
    },
  ];

  it.each(events)('$name → 400, nothing written, no stack', async ({ body }) => {
    const before = await dump();
    const from = h.logs.length;
    expect(await sendJson(body)).toBe(400);
    expect(await dump()).toBe(before);
    noStackSince(from);
    await helpStillWorks();
  });

  it('a slash command whose text is given twice (an array once parsed) → 400', async () => {
    const from = h.logs.length;
    const form = new URLSearchParams({ command: '/ats', team_id: T, user_id: ADMIN, channel_id: 'D0MALF', trigger_id: trigger() });
    form.append('text', 'help');
    form.append('text', 'jobs');
    const res = await postSigned(h, form.toString(), undefined, { signal: AbortSignal.timeout(10_000) });
    await res.text();
    expect(res.status).toBe(400);
    noStackSince(from);
    await helpStillWorks();
  });

  it('a body of no kind Bolt knows (a slash command without `command`) → 400, not a 404 after 3 s (found by fuzzing)', async () => {
    const form = new URLSearchParams({ team_id: T, user_id: ADMIN, channel_id: 'D0MALF', text: 'help', trigger_id: trigger() });
    const res = await postSigned(h, form.toString(), undefined, { signal: AbortSignal.timeout(10_000) });
    await res.text();
    expect(res.status).toBe(400);
    await helpStillWorks();
  });
});

describe('found by fuzzing', () => {
  it('a request claiming a workspace without an installation is acked and logged at info, without a stack', async () => {
    const from = h.logs.length;
    const p = jobSubmission({});
    const r = await send({ ...p, team: { id: 'T0NOSUCH' }, user: { id: ADMIN, team_id: 'T0NOSUCH' } });
    expect(r.status).toBe(200);
    noStackSince(from);
    expect(h.logs.slice(from).some((l) => l.includes('request for a workspace without an installation'))).toBe(true);
  });
});
