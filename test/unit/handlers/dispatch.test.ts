/**
 * commands/dispatch.ts and the registration in commands/index.ts: the feature prefixes and the old
 * ids, every id the views render reaches a handler, an unknown id of a feature is answered.
 */
import { AUDIT_ACTIONS } from '../../../views/audit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import { currentId, ids, pick } from '../../../commands/dispatch';
import { LEGACY_ACTION_IDS } from '../../../commands';
import { ACCOUNT_ACTIONS } from '../../../views/accounts';
import { CANDIDATE_ACTIONS } from '../../../views/candidate';
import { HOME_OPEN_MAPPING } from '../../../views/home';
import { OPEN_MAPPING_ACTION } from '../../../views/import-notices';
import { JOB_ACTIONS, JOB_CALLBACK } from '../../../views/jobs';
import { LINK_CALLBACK } from '../../../views/link';
import { MAPPING_ACTIONS, RULE_CALLBACK } from '../../../views/mapping';
import { ROLES_CALLBACK } from '../../../views/roles';
import { SETTINGS_CALLBACK } from '../../../views/settings';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

describe('ids, currentId, pick', () => {
  const aliases = { account_pause: 'acct:pause', account_link: 'acct:link', open_mapping: 'map:open' };
  const table = { 'acct:pause': 'pause', 'acct:link': 'link', 'map:rule:add': 'add rule' };

  it('a feature’s RegExp takes its prefix and its own old ids, exactly or with an :<arg>', () => {
    const acct = ids('acct', aliases);
    for (const id of ['acct:pause', 'acct:link:green', 'account_pause', 'account_link:green']) expect(acct.test(id), id).toBe(true);
    for (const id of ['acct', 'acctx:pause', 'xacct:pause', 'account_pauser', 'open_mapping', 'map:open'])
      expect(acct.test(id), id).toBe(false);
    expect(ids('map', aliases).test('open_mapping')).toBe(true);
    expect(ids('set').source).toBe('^(?:set:)');
  });

  it('an old id becomes today’s, keeping its :<arg>; other ids stay as they are', () => {
    expect(currentId('account_link:green', aliases)).toBe('acct:link:green');
    expect(currentId('open_mapping', aliases)).toBe('map:open');
    expect(currentId('acct:pause', aliases)).toBe('acct:pause');
    expect(currentId('constructor', aliases)).toBe('constructor');
  });

  it('picks by the id, or the id without its last :<arg>; nothing else', () => {
    expect(pick(table, 'acct:pause')).toBe('pause');
    expect(pick(table, 'acct:link:green')).toBe('link');
    expect(pick(table, 'map:rule:add')).toBe('add rule');
    expect(pick(table, 'account_link:bizreach', aliases)).toBe('link');
    for (const id of ['acct:frob', 'map:rule', 'map:rule:frob', 'acct', 'toString', 'acct:__proto__'])
      expect(pick(table, id), id).toBeUndefined();
  });
});

describe('the app’s listeners (commands/index.ts)', () => {
  const T = 'T0HDISP';
  const ADMIN = 'U0HDISPADMIN';
  let u: UnitDeps;
  let bolt: BoltHarness;
  let h: HandlerTest;
  const unhandled = () =>
    u.logs.filter(
      (l) => l.msg === 'no handler for this id' || l.msg === 'no options handler for this id' || l.msg === 'unhandled Bolt error',
    );

  beforeAll(async () => {
    ({ u, bolt } = h = await startHandlerTest('h_dispatch', T, { admins: [ADMIN] }));
  });
  afterAll(() => u?.close());
  beforeEach(() => h.reset());

  it('every action id the views render, and every old id, reaches a handler and is acked once', async () => {
    const rendered = [
      ACCOUNT_ACTIONS.pause,
      ACCOUNT_ACTIONS.resume,
      ACCOUNT_ACTIONS.reenter,
      ACCOUNT_ACTIONS.unlink,
      `${ACCOUNT_ACTIONS.link}:wantedly`,
      `${ACCOUNT_ACTIONS.page}:next`,
      JOB_ACTIONS.create,
      JOB_ACTIONS.edit,
      OPEN_MAPPING_ACTION,
      MAPPING_ACTIONS.job,
      MAPPING_ACTIONS.page,
      MAPPING_ACTIONS.addRule,
      MAPPING_ACTIONS.deleteRule,
      ...Object.values(CANDIDATE_ACTIONS),
      HOME_OPEN_MAPPING,
      ...Object.values(AUDIT_ACTIONS),
    ];
    const old = Object.keys(LEGACY_ACTION_IDS).map((k) =>
      k === 'account_link' ? 'account_link:green' : k === 'account_page' ? 'account_page:prev' : k,
    );
    for (const actionId of [...rendered, ...old]) {
      const d = await bolt.click({
        teamId: T,
        userId: ADMIN,
        actionId,
        value: 'x',
        selected: actionId.endsWith('stage') || actionId === MAPPING_ACTIONS.job ? 'x' : undefined,
      });
      expect(d.acks, actionId).toEqual([undefined]);
    }
    expect(unhandled()).toEqual([]);
    // none was taken for a request no listener takes (a listener registered outside the route list)
    expect(u.logs.filter((l) => l.msg === 'no listener for this request; acked')).toEqual([]);
  });

  it('every modal callback and options id reaches a handler', async () => {
    for (const callbackId of [LINK_CALLBACK, JOB_CALLBACK, RULE_CALLBACK, ROLES_CALLBACK, SETTINGS_CALLBACK]) {
      const d = await bolt.submit({ teamId: T, userId: ADMIN, callbackId });
      expect(d.acks, callbackId).toHaveLength(1);
    }
    for (const actionId of [MAPPING_ACTIONS.job, MAPPING_ACTIONS.ruleJob]) {
      expect((await bolt.suggest({ teamId: T, userId: ADMIN, actionId, value: '' })).acks, actionId).toHaveLength(1);
    }
    expect(unhandled()).toEqual([]);
  });

  it('a submission of a feature no handler takes closes the modal and is answered', async () => {
    const d = await bolt.submit({ teamId: T, userId: ADMIN, callbackId: 'job:archive' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.client.to('chat.postMessage').map((c) => c.args.text)).toEqual([translator('en')('common.malformed')]);
    expect(unhandled()).toMatchObject([{ level: 30, kind: 'view', id: 'job:archive' }]);
  });

  it('a request no listener takes is acked at once, empty, and nothing else happens (commands/unrouted.ts)', async () => {
    const noListener = () => u.logs.filter((l) => l.msg === 'no listener for this request; acked');
    expect((await bolt.click({ teamId: T, userId: ADMIN, actionId: 'someone_elses_button' })).acks).toEqual([undefined]);
    expect((await bolt.submit({ teamId: T, userId: ADMIN, callbackId: 'link_submit' })).acks).toEqual([undefined]);
    expect((await bolt.suggest({ teamId: T, userId: ADMIN, actionId: 'other:select', value: 'x' })).acks).toEqual([{ options: [] }]);
    const other = {
      command: '/other',
      text: 'x',
      team_id: T,
      user_id: ADMIN,
      channel_id: 'D0X',
      response_url: 'https://hooks.slack.test/x',
      trigger_id: '1.2.x',
    };
    expect((await bolt.deliver(other)).acks).toEqual([undefined]);
    expect(noListener().map((l) => l.kind)).toEqual(['action', 'view', 'options', 'command']);
    expect(bolt.client.calls).toEqual([]);
    expect(bolt.responded.filter((r) => r.url === 'https://hooks.slack.test/x')).toEqual([]);
  });
});
