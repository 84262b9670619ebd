/** commands/accounts.ts: `/ats link`, `/ats accounts`, the link modal and the `acct:` buttons, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { insertLinkedAccount } from '../../helpers/accounts';

const T = 'T0HACCT';
const ADMIN = 'U0HACCTADMIN';
const MEMBER = 'U0HACCTMEMBER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

const account = (id: string) => u.deps.store.mediaAccounts.findOne({ _id: new ObjectId(id) });
const link = (label: string, medium: 'wantedly' | 'green' = 'wantedly') =>
  insertLinkedAccount(
    u.deps,
    T,
    medium,
    medium === 'wantedly' ? { medium, apiKey: `key-${label}-0123456789abcdef` } : { medium, companyId: label, password: 'pw' },
    label,
  );

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_accounts', T, { admins: [ADMIN], others: [MEMBER] }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats link', () => {
  it('without a medium says which media there are', async () => {
    const d = await bolt.slash({ teamId: T, userId: ADMIN, text: 'link' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.responded).toHaveLength(1);
    expect(bolt.responded[0].body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('`/ats link wantedly`') });
    expect(bolt.client.to('views.open')).toHaveLength(0);
  });

  it('opens the link modal for a medium typed in full width', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'link ｗａｎｔｅｄｌｙ' });
    const [open] = bolt.client.to('views.open');
    expect(open.args.view).toMatchObject({ callback_id: 'acct:save', private_metadata: JSON.stringify({ medium: 'wantedly' }) });
    expect(bolt.responded).toHaveLength(0);
  });

  it('refuses someone who is not an org admin, audit-logged', async () => {
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'link green' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded[0].body.text).toBe(t('common.refused', { action: t('actions.accounts_manage') }));
    expect(await u.deps.store.auditLog.countDocuments({ teamId: T, actorId: MEMBER, action: 'accounts.manage', allowed: false })).toBe(1);
  });
});

describe('the link modal (acct:save)', () => {
  it('links the account: acks, stores it, queues the credentials check and tells the admin by DM', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'acct:save',
      privateMetadata: '{"medium":"wantedly"}',
      values: { api_key: 'a-new-api-key-0123456789', label: 'Tokyo' },
      viewId: 'V0LINK1',
    });
    expect(d.acks).toEqual([undefined]);
    const doc = await u.deps.store.mediaAccounts.findOne({ teamId: T, label: 'Tokyo' });
    expect(doc).toMatchObject({ medium: 'wantedly', state: 'authenticating' });
    expect(u.jobs).toEqual([`checkAuth ${doc!._id}`]);
    expect(bolt.dms(ADMIN)).toEqual([t('link.started', { medium: t('media.wantedly'), label: 'Tokyo' })]);
  });

  it('answers field errors in the ack and stores nothing', async () => {
    const before = await u.deps.store.mediaAccounts.countDocuments({ teamId: T });
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'acct:save',
      privateMetadata: '{"medium":"wantedly"}',
      values: { api_key: 'short' },
    });
    expect(d.acked).toEqual({ response_action: 'errors', errors: { api_key: expect.any(String) } });
    expect(await u.deps.store.mediaAccounts.countDocuments({ teamId: T })).toBe(before);
    expect(u.jobs).toEqual([]);
  });

  it('answers a tampered private_metadata under the label', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'acct:save',
      privateMetadata: '{"medium":"myspace"}',
      values: { api_key: 'a-new-api-key-0123456789' },
    });
    expect(d.acked).toMatchObject({ response_action: 'errors', errors: { label: expect.stringContaining('metadata') } });
  });

  it('a refusal from the domain shows under the secret field', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: MEMBER,
      callbackId: 'acct:save',
      privateMetadata: '{"medium":"wantedly"}',
      values: { api_key: 'member-api-key-0123456789' },
    });
    expect(d.acked).toMatchObject({ response_action: 'errors', errors: { api_key: expect.stringContaining("don't have permission") } });
    expect(await u.deps.store.mediaAccounts.countDocuments({ teamId: T, linkedBy: MEMBER })).toBe(0);
  });
});

describe('account buttons', () => {
  it('acct:pause in the accounts message: pauses, says so, and replaces the message with the fresh list', async () => {
    const id = await link('Pause me');
    const d = await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:pause', value: id, blockId: `account_${id}` });
    expect(d.acks).toEqual([undefined]);
    expect((await account(id))?.paused).toBe(true);
    expect(u.jobs).toEqual([`disableImport ${id}`]);
    expect(bolt.responded.map((r) => r.body)).toEqual([
      expect.objectContaining({ replace_original: false, text: t('accounts.paused', { medium: t('media.wantedly'), label: 'Pause me' }) }),
      expect.objectContaining({ replace_original: true, text: t('accounts.title') }),
    ]);
    expect(JSON.stringify(bolt.responded[1].body.blocks)).toContain(`"action_id":"acct:resume","value":"${id}"`);
  });

  it('acct:resume on App Home: resumes, tells the admin by DM and publishes Home again', async () => {
    const id = await link('Resume me');
    await u.deps.store.mediaAccounts.updateOne({ _id: new ObjectId(id) }, { $set: { paused: true } });
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:resume', value: id, where: 'home' });
    expect((await account(id))?.paused).toBe(false);
    expect(u.jobs).toEqual([`scheduleImport ${id}`]);
    expect(bolt.dms(ADMIN)).toEqual([t('accounts.resumed', { medium: t('media.wantedly'), label: 'Resume me' })]);
    const [publish] = bolt.client.to('views.publish');
    expect(publish.args).toMatchObject({ user_id: ADMIN, view: { type: 'home' } });
    expect(bolt.responded).toHaveLength(0);
  });

  it('acct:unlink: removes the account and its jobs', async () => {
    const id = await link('Unlink me');
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:unlink', value: id });
    expect(await account(id)).toBeNull();
    expect(u.jobs).toEqual([`removeAll ${id}`]);
    expect(bolt.responded[0].body.text).toBe(t('accounts.unlinked', { medium: t('media.wantedly'), label: 'Unlink me' }));
  });

  it('acct:reenter opens the link modal for that account (label kept, secrets empty)', async () => {
    const id = await link('Fukuoka', 'green');
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:reenter', value: id });
    const [open] = bolt.client.to('views.open');
    expect(open.args.view).toMatchObject({
      callback_id: 'acct:save',
      private_metadata: JSON.stringify({ medium: 'green', accountId: id }),
    });
    expect(JSON.stringify(open.args.view)).toContain('"initial_value":"Fukuoka"');
  });

  it('acct:link:<medium> opens the link modal for that medium', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:link:green', value: 'green', blockId: 'account_link_media' });
    expect(bolt.client.to('views.open')[0].args.view).toMatchObject({ callback_id: 'acct:save', private_metadata: '{"medium":"green"}' });
  });

  it('refuses a member’s crafted pause: nothing changes, the refusal is said and audit-logged', async () => {
    const id = await link('Not yours');
    await bolt.click({ teamId: T, userId: MEMBER, actionId: 'acct:pause', value: id });
    expect((await account(id))?.paused).toBe(false);
    expect(u.jobs).toEqual([]);
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.refused', { action: t('actions.accounts_manage') })]);
    expect(
      await u.deps.store.auditLog.countDocuments({
        teamId: T,
        actorId: MEMBER,
        action: 'accounts.manage',
        allowed: false,
        'target.accountId': id,
      }),
    ).toBe(1);
  });

  it('a value that is no account id is malformed (info log, no error reference)', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:pause', value: 'zzz' });
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.malformed')]);
    expect(u.logs.some((l) => l.msg === 'refused a malformed value' && l.level === 30)).toBe(true);
  });

  it('an acct: id no handler takes is answered, not thrown', async () => {
    const d = await bolt.click({ teamId: T, userId: ADMIN, actionId: 'acct:frobnicate', value: 'x' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.malformed')]);
    expect(u.logs.find((l) => l.msg === 'no handler for this id')).toMatchObject({ level: 30, kind: 'action', id: 'acct:frobnicate' });
    expect(u.logs.some((l) => l.msg === 'unhandled Bolt error')).toBe(false);
  });

  it('buttons of an accounts message from before the prefixes (account_pause, account_link:<medium>) still work', async () => {
    const id = await link('Old message');
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'account_pause', value: id, blockId: `account_${id}` });
    expect((await account(id))?.paused).toBe(true);
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'account_link:bizreach', value: 'bizreach' });
    expect(bolt.client.to('views.open')[0].args.view).toMatchObject({ private_metadata: '{"medium":"bizreach"}' });
  });
});

describe('/ats accounts and its pages (acct:page)', () => {
  it('shows a page of accounts; next replaces it with the next page', async () => {
    for (let i = 0; i < 13; i++) await link(`Many ${String(i).padStart(2, '0')}`);
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'accounts' });
    const first = bolt.responded[0].body;
    expect(first).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: t('accounts.title') });
    const next = JSON.stringify(first.blocks).match(/"action_id":"acct:page:next","value":"(\d+)"/);
    expect(next?.[1]).toBe('1');
    bolt.reset();
    await bolt.click({ teamId: T, userId: MEMBER, actionId: 'acct:page:next', value: '1' });
    expect(bolt.responded).toHaveLength(1);
    expect(bolt.responded[0].body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(bolt.responded[0].body.blocks)).toContain('acct:page:prev');
    // a member sees the accounts, not the buttons that change them
    expect(JSON.stringify(first.blocks)).not.toContain('acct:pause');
  });
});
