/**
 * Payloads of the wrong shape at the handlers (issue 13, defect 5), through Bolt: a modal value of
 * the wrong type gets an error under its field in the user's language; a click without actions,
 * an options request without a value, an event whose fields have other types are acknowledged
 * empty and logged at info by commands/payloads.ts, and nothing runs or is written. (A click
 * without `actions` at all never reaches a middleware: Bolt cannot tell its kind and returns; over
 * HTTP the request guard answers it with 400, test/e2e/malformed-payloads.test.ts.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { payloadProblem } from '../../../commands/payloads';

const T = 'T0HMALF';
const ADMIN = 'U0HMALFADMIN';
const JA = 'U0HMALFJA';
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_malformed', T, { admins: [ADMIN] }));
  u.addUser(T, JA, { locale: 'ja' });
  await u.setRole(T, JA, 'org_admin');
  u.setClient(bolt.client.client);
  bolt.client.answer('conversations.info', (a) => ({ ok: true, channel: { id: a.channel, is_member: true } }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

const jobs = () => u.deps.store.jobs.countDocuments({ teamId: T });
const refusals = () => u.logs.filter((l) => l.msg === 'refused a malformed Slack payload' && l.level === 30);
const errorsLogged = () => u.logs.filter((l) => (l.level as number) >= 50);

/** A job modal submission whose `state.values` are `values` over a valid form. */
function jobSubmission(userId: string, values: Record<string, unknown>) {
  return {
    type: 'view_submission',
    trigger_id: `${Date.now()}.${Math.random()}`,
    user: { id: userId, team_id: T },
    team: { id: T },
    view: {
      id: 'V0HMALF',
      type: 'modal',
      callback_id: 'job:save',
      private_metadata: '{"jobId":null}',
      state: {
        values: {
          name: { value: { type: 'plain_text_input', value: 'Designer' } },
          channel: { value: { type: 'conversations_select', selected_conversation: 'C0HMALF' } },
          admins: { value: { type: 'multi_users_select', selected_users: [] } },
          members: { value: { type: 'multi_users_select', selected_users: [] } },
          ...values,
        },
      },
    },
  };
}

describe('a modal value of the wrong type', () => {
  it.each([
    ['name', { value: { type: 'plain_text_input', value: 42 } }],
    ['name', { value: { type: 'plain_text_input', value: ['a'] } }],
    ['admins', { value: { type: 'multi_users_select', selected_users: 'U1' } }],
    ['admins', { value: { type: 'multi_users_select', selected_users: [1, 2] } }],
    ['channel', { value: { type: 'conversations_select', selected_conversation: { id: 'C1' } } }],
    ['members', 'U1'],
    ['members', null],
  ])('%s = %j → an error under that field, in English; no job', async (field, state) => {
    const d = await bolt.deliver(jobSubmission(ADMIN, { [field]: state }));
    expect(d.acks).toEqual([{ response_action: 'errors', errors: { [field]: translator('en')('payload.wrongType') } }]);
    expect(await jobs()).toBe(0);
    expect(errorsLogged()).toEqual([]);
  });

  it('in Japanese for a user whose Slack is in Japanese', async () => {
    const d = await bolt.deliver(jobSubmission(JA, { name: { value: { type: 'plain_text_input', value: 7 } } }));
    expect(d.acked).toEqual({ response_action: 'errors', errors: { name: translator('ja')('payload.wrongType') } });
    expect(translator('ja')('payload.wrongType')).not.toBe(translator('en')('payload.wrongType'));
  });

  it('the same form with the right types saves the job', async () => {
    const d = await bolt.deliver(jobSubmission(ADMIN, {}));
    expect(d.acks).toEqual([undefined]);
    expect(await jobs()).toBe(1);
    await u.deps.store.jobs.deleteMany({ teamId: T });
  });
});

describe('a payload without the shape of its kind', () => {
  const user = { id: ADMIN, team_id: T };
  const team = { id: T };
  it.each([
    ['a click with an empty actions list', { type: 'block_actions', user, team, trigger_id: 't2', actions: [] }],
    ['a click with a numeric action_id', { type: 'block_actions', user, team, trigger_id: 't3', actions: [{ action_id: 5 }] }],
    ['a click whose action is a string', { type: 'block_actions', user, team, trigger_id: 't4', actions: ['job:new'] }],
    ['an options request without value', { type: 'block_suggestion', user, team, action_id: 'map:job' }],
    ['an options request with a numeric value', { type: 'block_suggestion', user, team, action_id: 'map:job', value: 3 }],
    [
      'a submission whose values are a string',
      { ...jobSubmission(ADMIN, {}), view: { id: 'V1', callback_id: 'job:save', state: { values: 'x' } } },
    ],
    ['a submission without state', { ...jobSubmission(ADMIN, {}), view: { id: 'V1', callback_id: 'job:save' } }],
    [
      'a submission with a numeric private_metadata',
      { ...jobSubmission(ADMIN, {}), view: { ...jobSubmission(ADMIN, {}).view, private_metadata: 1 } },
    ],
    ['a slash command with a numeric text', { command: '/ats', text: 5, team_id: T, user_id: ADMIN, channel_id: 'D1', trigger_id: 't5' }],
  ])('%s → acked empty, logged at info, nothing run', async (_name, body) => {
    const d = await bolt.deliver(body);
    expect(d.acks).toEqual([undefined]);
    expect(refusals()).toHaveLength(1);
    expect(bolt.client.calls).toEqual([]);
    expect(bolt.responded).toEqual([]);
    expect(await jobs()).toBe(0);
    expect(errorsLogged()).toEqual([]);
  });

  it.each([
    ['app_home_opened with a numeric user', { type: 'app_home_opened', user: 5, tab: 'home' }],
    ['member_joined_channel without channel', { type: 'member_joined_channel', user: 'U0UNITBOT' }],
    ['tokens_revoked with tokens a string', { type: 'tokens_revoked', tokens: 'bot' }],
    ['tokens_revoked with bot tokens a string', { type: 'tokens_revoked', tokens: { bot: 'U0UNITBOT' } }],
  ])('the event %s is refused, nothing run', async (_name, event) => {
    await bolt.event(T, event);
    expect(refusals()).toHaveLength(1);
    expect(bolt.client.calls).toEqual([]);
    expect(errorsLogged()).toEqual([]);
  });

  it('the payloads Slack sends pass (the harness builds them as Slack does)', () => {
    expect(payloadProblem(jobSubmission(ADMIN, {}))).toBeNull();
    expect(payloadProblem({ type: 'url_verification', challenge: 'x' })).toBeNull();
    expect(payloadProblem({ type: 'block_actions', user, team: null, actions: [{ action_id: 'job:new', block_id: 'b' }] })).toBeNull();
    expect(payloadProblem({ type: 'block_actions', user: { id: ADMIN }, team: null, actions: [{ action_id: 'x' }] })).toMatchObject({
      kind: 'action',
    });
  });
});
