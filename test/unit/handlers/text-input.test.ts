/**
 * What people type goes through the one normaliser (src/text.ts): each modal that takes a name
 * refuses one of only invisible characters under its field, in the user's language, and writes
 * nothing; controls and bidi overrides are removed from what is stored; a Slack id of the wrong
 * shape or length (a 10,000-character channel id) is refused.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

const T = 'T0HTEXT';
const ADMIN = 'U0HTEXTADMIN';
const JA_ADMIN = 'U0HTEXTJA';
const en = translator('en');
const ja = translator('ja');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

const ZW_ONLY = '\u200b\u200b\u200b\u2060\ufeff';
const saveJob = (userId: string, values: Record<string, string | string[]>) =>
  bolt.submit({ teamId: T, userId, callbackId: 'job:save', privateMetadata: '{"jobId":null}', values });

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_text', T, { admins: [ADMIN] }));
  u.addUser(T, JA_ADMIN, { locale: 'ja' });
  await u.setRole(T, JA_ADMIN, 'org_admin');
  u.setClient(bolt.client.client);
  bolt.client.answer('conversations.info', (a) => ({ ok: true, channel: { id: a.channel, is_member: true } }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('the job modal', () => {
  it('a name of only zero-width characters is refused under the name, in English and Japanese; nothing is written', async () => {
    for (const name of [ZW_ONLY, '\u0000\u001b', '\u202e', '\u3164']) {
      const d = await saveJob(ADMIN, { name, channel: 'C0HTEXTCH' });
      expect(d.acked).toEqual({ response_action: 'errors', errors: { name: en.plain('text.invisible') } });
    }
    const d = await saveJob(JA_ADMIN, { name: ZW_ONLY, channel: 'C0HTEXTCH' });
    expect(d.acked).toEqual({ response_action: 'errors', errors: { name: ja.plain('text.invisible') } });
    expect(ja.plain('text.invisible')).toMatch(/文字/);
    expect(await u.deps.store.jobs.countDocuments({ teamId: T })).toBe(0);
    expect(bolt.client.to('conversations.info')).toHaveLength(0);
  });

  it('controls, bidi overrides and zero-width characters are removed from the name stored', async () => {
    const d = await saveJob(ADMIN, { name: '\u200bBack\u0000end\u001b \u202eEngineer\u2066', channel: 'C0HTEXTCH' });
    expect(d.acks).toEqual([undefined]);
    const job = await u.deps.store.jobs.findOne({ teamId: T });
    expect(job).toMatchObject({ name: 'Backend Engineer', nameKey: 'backend engineer' });
    // the DM that tells the creator shows the clean name too
    expect(bolt.dms(ADMIN)).toEqual([en('jobs.created', { name: 'Backend Engineer', channel: 'C0HTEXTCH' })]);
    await u.deps.store.jobs.deleteMany({ teamId: T });
  });

  it('a channel id of 10,000 characters is refused under the channel; nothing is written, Slack never asked', async () => {
    const d = await saveJob(ADMIN, { name: 'Long channel', channel: `C${'A'.repeat(9_999)}` });
    expect(d.acked).toMatchObject({ response_action: 'errors', errors: { channel: expect.any(String) } });
    expect(await u.deps.store.jobs.countDocuments({ teamId: T })).toBe(0);
    expect(bolt.client.to('conversations.info')).toHaveLength(0);
  });

  it('user ids of the wrong shape or length are dropped from admins and members', async () => {
    await saveJob(ADMIN, { name: 'Ids', channel: 'C0HTEXTCH', admins: ['U0GOOD1', `U${'1'.repeat(5_000)}`, 'u0lower'] });
    expect((await u.deps.store.jobs.findOne({ teamId: T, name: 'Ids' }))?.admins).toEqual(['U0GOOD1']);
    await u.deps.store.jobs.deleteMany({ teamId: T });
  });
});

describe('the rule modal and the link modal', () => {
  it('a rule pattern of only invisible characters is refused under the pattern; nothing stored', async () => {
    const now = new Date();
    const job = await u.deps.store.jobs.insertOne({
      teamId: T,
      name: 'Rules',
      channelId: 'C0HTEXTRULES',
      admins: [],
      members: [],
      createdBy: ADMIN,
      createdAt: now,
      updatedAt: now,
    });
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'map:rule:save',
      privateMetadata: '{}',
      values: { medium: 'wantedly', pattern: ZW_ONLY, match: 'contains', job: String(job.insertedId) },
    });
    expect(d.acked).toEqual({ response_action: 'errors', errors: { pattern: en.plain('text.invisible') } });
    expect(await u.deps.store.mappingRules.countDocuments({ teamId: T })).toBe(0);
    // and a visible one is stored clean
    await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'map:rule:save',
      privateMetadata: '{}',
      values: { medium: 'wantedly', pattern: 'Back\u202eend\u0000', match: 'contains', job: String(job.insertedId) },
    });
    expect(await u.deps.store.mappingRules.findOne({ teamId: T, jobId: new ObjectId(job.insertedId) })).toMatchObject({
      pattern: 'Backend',
    });
  });

  it('an account label of only invisible characters is refused under the label; no account', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: JA_ADMIN,
      callbackId: 'acct:save',
      privateMetadata: '{"medium":"wantedly"}',
      values: { api_key: 'wk_text_0123456789abcdef', label: ZW_ONLY },
    });
    expect(d.acked).toEqual({ response_action: 'errors', errors: { label: ja.plain('text.invisible') } });
    expect(await u.deps.store.mediaAccounts.countDocuments({ teamId: T })).toBe(0);
  });
});

describe('slash command text', () => {
  it('controls and overrides typed after /ats are not echoed back', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'job \u202edelete\u0000' });
    expect(bolt.responded[0].body.text).toBe(en('common.unknownCommand', { text: 'job delete' }));
  });
});
