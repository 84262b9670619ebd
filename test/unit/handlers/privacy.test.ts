/**
 * Privacy handlers through Bolt: `cand:erase` (commands/candidates.ts), `/ats audit` and the
 * `audit:` buttons and selects (commands/audit.ts), the retention field of the settings modal
 * (commands/settings.ts). The purge mark of app_uninstalled: lifecycle.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import type { CandidateDoc } from '../../../src/storage/types';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { seedImport } from '../../helpers/candidates';
import type { Harness } from '../../helpers/app';

const T = 'T0HPRIV';
const ADMIN = 'U0HPRIVADMIN';
const MEMBER = 'U0HPRIVMEMBER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;
let people: CandidateDoc[];

const candidate = (c: CandidateDoc) => u.deps.store.candidates.findOne({ _id: c._id });
const erase = (userId: string, value: string) =>
  bolt.click({ teamId: T, userId, actionId: 'cand:erase', value, where: 'modal', view: { callback_id: 'cand:modal' } });

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_privacy', T, { admins: [ADMIN], others: [MEMBER] }));
  people = await seedImport({ app: { deps: u.deps } } as unknown as Harness, T, 'green', { externalId: 'g-priv', title: 'QA' }, 3, {
    prefix: 'Sato',
    route: false,
  });
  // the first one's card is in a channel
  await u.deps.store.candidates.updateOne(
    { _id: people[0]._id },
    { $set: { card: { state: 'posted', channel: 'C0UNITCHAN', ts: '1700000000.000100', jobId: people[0].accountIds[0] } } },
  );
  await u.deps.store.candidates.updateOne({ _id: people[1]._id }, { $set: { card: { state: 'pending', jobId: people[0].accountIds[0] } } });
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('cand:erase', () => {
  it('refused to a member: told in their language, nothing changed, audit-logged', async () => {
    const before = await candidate(people[0]);
    await erase(MEMBER, String(people[0]._id));
    expect(bolt.dms(MEMBER)).toEqual([t('common.refused', { action: t('actions.candidates_erase') })]);
    expect(await candidate(people[0])).toEqual(before);
    expect(bolt.client.to('views.update')).toHaveLength(0);
    expect(u.jobs).toEqual([]);
    expect(await u.deps.store.auditLog.countDocuments({ teamId: T, actorId: MEMBER, action: 'candidates.erase', allowed: false })).toBe(1);
  });

  it('by an org admin: acked, the modal says so, the posted card is woken for its update; a second click does nothing more', async () => {
    const d = await erase(ADMIN, String(people[0]._id));
    expect(d.acks).toEqual([undefined]);
    const [update] = bolt.client.to('views.update');
    expect(update.args.view_id).toBe('V0UNITVIEW');
    expect(JSON.stringify(update.args.view)).toContain(t('privacy.erased'));
    const doc = (await candidate(people[0]))!;
    expect(doc).toMatchObject({ name: '', searchKey: '', links: [], erasedBy: ADMIN, card: { state: 'posted', dirty: 1 } });
    expect(doc.age).toBeUndefined();
    expect(u.jobs).toEqual([`wake ${people[0].accountIds[0]}`]);

    h.reset();
    await erase(ADMIN, String(people[0]._id));
    expect(await candidate(people[0])).toEqual(doc);
    expect(u.jobs).toEqual([]);
    expect(await u.deps.store.auditLog.countDocuments({ teamId: T, action: 'candidates.erase', allowed: true })).toBe(1);
  });

  it('a card not posted yet is dropped: it is never posted', async () => {
    await erase(ADMIN, String(people[1]._id));
    const doc = (await candidate(people[1]))!;
    expect(doc.erasedAt).toBeInstanceOf(Date);
    expect(doc.card).toBeUndefined();
    expect(u.jobs).toEqual([]);
  });

  it('a malformed or unknown id is answered, not thrown', async () => {
    await erase(ADMIN, 'not-an-id');
    await erase(ADMIN, '0123456789abcdef01234567');
    expect(bolt.dms(ADMIN)).toEqual([t('common.malformed'), t('candidate.notFound', { query: '0123456789abcdef01234567' })]);
  });
});

describe('/ats audit', () => {
  beforeAll(async () => {
    for (let i = 0; i < 20; i++)
      await u.deps.store.auditLog.insertOne({
        teamId: T,
        at: new Date(Date.UTC(2026, 0, 1, 0, i)),
        actorId: 'U0HPRIVOLD',
        action: 'jobs.edit',
        allowed: true,
        target: { name: '<b&c>' },
      });
  });
  const blocks = () => JSON.stringify(bolt.responded.at(-1)?.body.blocks);

  it('answers the first page to an org admin, ephemeral, with both filters', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'audit' });
    const body = bolt.responded[0].body;
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: t('audit.title') });
    expect(blocks()).toContain('"block_id":"audit_f::"');
    expect(blocks()).toContain('"type":"users_select"');
    expect(blocks()).toContain('"value":"candidates.erase"');
    expect(blocks()).toContain('audit:page:next');
    expect(blocks()).not.toContain('audit:page:prev');
    // values from the log are escaped once
    expect(blocks()).toContain('&lt;b&amp;c&gt;');
    expect(blocks()).not.toContain('&amp;amp;');
  });

  it('is refused to a member', async () => {
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'audit' });
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.refused', { action: t('actions.audit_view') })]);
  });

  it('a page button replaces the message with that page, keeping the filters it carries', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:page:next', value: JSON.stringify({ p: 1, a: 'jobs.edit' }) });
    expect(bolt.responded[0].body).toMatchObject({ replace_original: true });
    expect(blocks()).toContain(t('audit.pageNo', { page: 2 }));
    expect(blocks()).toContain('"block_id":"audit_f::jobs.edit"');
    expect(blocks()).not.toContain('`candidates.erase`');
    // 20 jobs.edit entries: page 2 holds the last 5, the oldest at 09:00 in Asia/Tokyo
    expect(blocks()).toContain('2026-01-01 09:00');
    expect(blocks()).not.toContain('audit:page:next');
  });

  it('the action select keeps the person filter from its block id', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:action', blockId: `audit_f:${MEMBER}:`, selected: 'candidates.erase' });
    expect(blocks()).toContain(`"block_id":"audit_f:${MEMBER}:candidates.erase"`);
    expect(blocks()).toContain(`<@${MEMBER}>`);
    expect(blocks()).not.toContain(`<@${ADMIN}>`);
    // "all actions" clears it
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:action', blockId: `audit_f:${MEMBER}:candidates.erase`, selected: '*' });
    expect(blocks()).toContain(`"block_id":"audit_f:${MEMBER}:"`);
  });

  it('the person select keeps the action filter', async () => {
    await bolt.deliver({
      type: 'block_actions',
      api_app_id: 'A0UNIT',
      token: 'legacy',
      trigger_id: `${Date.now()}.1.unit`,
      user: { id: ADMIN, team_id: T, username: 'a', name: 'a' },
      team: { id: T, domain: 't' },
      container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'D0UNITDM', is_ephemeral: true },
      channel: { id: 'D0UNITDM', name: 'directmessage' },
      response_url: 'https://hooks.slack.test/actions/audit-user',
      actions: [
        { type: 'users_select', action_id: 'audit:user', block_id: 'audit_f::jobs.edit', selected_user: 'U0HPRIVOLD', action_ts: '1.1' },
      ],
    });
    expect(blocks()).toContain('"block_id":"audit_f:U0HPRIVOLD:jobs.edit"');
    expect(blocks()).toContain('"initial_user":"U0HPRIVOLD"');
  });

  it('crafted values are refused as malformed, and a member cannot page', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:page:next', value: '{not json' });
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:page:next', value: JSON.stringify({ p: -1 }) });
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:action', blockId: 'audit_f:x:y:z', selected: 'jobs.edit' });
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'audit:action', blockId: 'audit_f::', selected: '$where' });
    expect(bolt.responded.map((r) => r.body.text)).toEqual(Array(4).fill(t('common.malformed')));
    h.reset();
    await bolt.click({ teamId: T, userId: MEMBER, actionId: 'audit:page:next', value: JSON.stringify({ p: 1 }) });
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.refused', { action: t('actions.audit_view') })]);
  });
});

describe('the retention field of the settings modal', () => {
  const save = (retention?: string) =>
    bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'set:save',
      values: { zone: 'Asia/Tokyo', cards: 'standard', ...(retention === undefined ? {} : { retention }) },
    });
  const months = async () => (await u.deps.store.orgs.findOne({ _id: T }))?.settings.retentionMonths;

  it('saves whole months (full-width digits too), empty = off, and leaves it as it is when the field is absent', async () => {
    await save('１２');
    expect(await months()).toBe(12);
    await save(undefined); // a modal opened before the field existed
    expect(await months()).toBe(12);
    await save('');
    expect(await months()).toBeNull();
  });

  it('refuses anything else under the field, nothing saved', async () => {
    await save('3');
    for (const bad of ['0.5', '121', '-1', 'abc']) {
      expect((await save(bad)).acked).toEqual({
        response_action: 'errors',
        errors: { retention: t('privacy.retentionInvalid', { max: 120 }) },
      });
    }
    expect(await months()).toBe(3);
  });

  it('the modal shows the setting', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'settings' });
    const view = JSON.stringify(bolt.client.to('views.open')[0].args.view);
    expect(view).toContain('"block_id":"retention"');
    expect(view).toContain('"initial_value":"3"');
  });
});
