/** commands/mapping.ts: `/ats mapping`, the `map:` and `home:` buttons and selects, the rule modal and the job options, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { seedImport } from '../../helpers/candidates';
import type { Harness } from '../../helpers/app';

const T = 'T0HMAP';
const ADMIN = 'U0HMAPADMIN';
const MEMBER = 'U0HMAPMEMBER';
const LIMITED = 'U0HMAPLIMITED';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;
let backend: string;
let frontend: string;
let postingId: string;

const modal = { view: { id: 'V0MAPMODAL', callback_id: 'map:modal', private_metadata: '{"page":0}' } };
const updated = () => bolt.client.to('views.update').map((c) => ({ viewId: c.args.view_id as string, view: JSON.stringify(c.args.view) }));
/** `text` as it is inside a JSON string. */
const json = (text: string) => JSON.stringify(text).slice(1, -1);

async function job(name: string, admins: string[] = []) {
  const now = new Date();
  const r = await u.deps.store.jobs.insertOne({
    teamId: T,
    name,
    channelId: `C0${name.toUpperCase()}`,
    admins,
    members: [],
    createdBy: ADMIN,
    createdAt: now,
    updatedAt: now,
  });
  return String(r.insertedId);
}

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_mapping', T, { admins: [ADMIN], others: [MEMBER, LIMITED] }));
  await u.setRole(T, LIMITED, 'limited');
  backend = await job('Backend');
  frontend = await job('Frontend', [MEMBER]);
  await seedImport(
    { app: { deps: u.deps } } as unknown as Harness,
    T,
    'wantedly',
    { externalId: 'w-be', title: 'Backend Engineer (Tokyo)' },
    3,
    { prefix: 'Tokyo' },
  );
  postingId = String((await u.deps.store.postings.findOne({ teamId: T, externalId: 'w-be' }))!._id);
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('the mapping modal opens from', () => {
  it('/ats mapping', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'mapping' });
    const view = bolt.client.to('views.open')[0].args.view;
    expect(view).toMatchObject({ callback_id: 'map:modal', private_metadata: '{"page":0}' });
    expect(JSON.stringify(view)).toContain('Backend Engineer (Tokyo)');
    expect(JSON.stringify(view)).toContain(`"block_id":"posting_${postingId}"`);
  });

  it('the import notice (map:open, in a DM), App Home (home:mapping), and an import notice from before the prefixes (open_mapping)', async () => {
    for (const [actionId, where] of [
      ['map:open', 'dm'],
      ['home:mapping', 'home'],
      ['open_mapping', 'dm'],
    ] as const) {
      const d = await bolt.click({ teamId: T, userId: ADMIN, actionId, value: 'wantedly', where });
      expect(d.acks).toEqual([undefined]);
    }
    expect(bolt.client.to('views.open').map((c) => c.args.view.callback_id)).toEqual(['map:modal', 'map:modal', 'map:modal']);
  });

  it('but not for limited access: refused by DM, nothing opens', async () => {
    await bolt.click({ teamId: T, userId: LIMITED, actionId: 'map:open', value: 'wantedly', where: 'dm' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.dms(LIMITED)).toEqual([t('common.refused', { action: t('actions.mapping_view') })]);
  });
});

describe('in the modal', () => {
  it('map:job maps the posting: the waiting candidates move, the modal says how many', async () => {
    await bolt.click({
      teamId: T,
      userId: ADMIN,
      actionId: 'map:job',
      blockId: `posting_${postingId}`,
      selected: frontend,
      where: 'modal',
      ...modal,
    });
    expect(String((await u.deps.store.postings.findOne({ _id: new ObjectId(postingId) }))?.jobId)).toBe(frontend);
    expect(await u.deps.store.candidates.countDocuments({ teamId: T, jobId: new ObjectId(frontend) })).toBe(3);
    expect(u.jobs).toContain(`wake ${frontend}`);
    const [upd] = updated();
    expect(upd.viewId).toBe('V0MAPMODAL');
    expect(upd.view).toContain(json(t('mapping.routed', { count: 3, job: 'Frontend' })));
  });

  it('map:job by a job admin onto a job they do not administer is refused: in the banner and by DM, nothing moves', async () => {
    await bolt.click({
      teamId: T,
      userId: MEMBER,
      actionId: 'map:job',
      blockId: `posting_${postingId}`,
      selected: backend,
      where: 'modal',
      ...modal,
    });
    expect(String((await u.deps.store.postings.findOne({ _id: new ObjectId(postingId) }))?.jobId)).toBe(frontend);
    expect(updated()[0].view).toContain(':no_entry:');
    // one emoji in the banner: the refusal's, not the success check mark before it as well
    expect(updated()[0].view).not.toContain(':white_check_mark:');
    expect(bolt.dms(MEMBER)).toEqual([t('common.refused', { action: t('actions.mapping_edit') })]);
  });

  it('map:job with the unmap option removes the choice', async () => {
    await bolt.click({
      teamId: T,
      userId: ADMIN,
      actionId: 'map:job',
      blockId: `posting_${postingId}`,
      selected: 'none',
      where: 'modal',
      ...modal,
    });
    expect((await u.deps.store.postings.findOne({ _id: new ObjectId(postingId) }))?.jobId).toBeNull();
    expect(updated()[0].view).toContain(t('mapping.unmapped'));
  });

  it('map:job in a block that is no posting is malformed', async () => {
    await bolt.click({
      teamId: T,
      userId: ADMIN,
      actionId: 'map:job',
      blockId: 'posting_zzz',
      selected: backend,
      where: 'modal',
      ...modal,
    });
    expect(bolt.dms(ADMIN)).toEqual([t('common.malformed')]);
  });

  it('map:page shows the page asked for', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'map:page', value: '3', where: 'modal', ...modal });
    expect(updated()).toHaveLength(1);
    expect(JSON.parse(bolt.client.to('views.update')[0].args.view.private_metadata)).toEqual({ page: 3 });
  });

  it('map:rule:add pushes the rule modal on top of the mapping modal', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'map:rule:add', value: 'add', where: 'modal', ...modal });
    const [push] = bolt.client.to('views.push');
    expect(push.args.view).toMatchObject({ callback_id: 'map:rule:save', private_metadata: '{"parentViewId":"V0MAPMODAL"}' });
    expect(JSON.stringify(push.args.view)).toContain('"action_id":"map:rule:job"');
  });
});

describe('the rule modal (map:rule:save) and map:rule:delete', () => {
  it('a rule is saved; the mapping modal under it says where the candidates are', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'map:rule:save',
      privateMetadata: '{"parentViewId":"V0MAPMODAL"}',
      values: { medium: 'wantedly', pattern: 'Backend', match: 'contains', job: backend },
    });
    expect(d.acks).toEqual([undefined]);
    expect(await u.deps.store.mappingRules.countDocuments({ teamId: T, pattern: 'Backend', jobId: new ObjectId(backend) })).toBe(1);
    // the candidates were routed to Frontend by the posting's choice before: they stay there
    expect(await u.deps.store.candidates.countDocuments({ teamId: T, jobId: new ObjectId(frontend) })).toBe(3);
    const [upd] = updated();
    expect(upd.viewId).toBe('V0MAPMODAL');
    expect(upd.view).toContain(json(t('mapping.routedNone')));
  });

  it('a rule without a job is answered under the job field, nothing stored', async () => {
    const d = await bolt.submit({
      teamId: T,
      userId: ADMIN,
      callbackId: 'map:rule:save',
      privateMetadata: '{}',
      values: { medium: 'green', pattern: 'QA', match: 'exact' },
    });
    expect(d.acked).toMatchObject({ response_action: 'errors', errors: { job: expect.any(String) } });
    expect(await u.deps.store.mappingRules.countDocuments({ teamId: T, pattern: 'QA' })).toBe(0);
  });

  it('map:rule:delete deletes it and says so in the modal', async () => {
    const rule = (await u.deps.store.mappingRules.findOne({ teamId: T, pattern: 'Backend' }))!;
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'map:rule:delete', value: String(rule._id), where: 'modal', ...modal });
    expect(await u.deps.store.mappingRules.countDocuments({ _id: rule._id })).toBe(0);
    expect(updated()[0].view).toContain(t('mapping.ruleDeleted'));
  });
});

describe('job options (external selects past 100 jobs)', () => {
  it('map:job and map:rule:job answer the jobs matching the typed text', async () => {
    for (const actionId of ['map:job', 'map:rule:job']) {
      const d = await bolt.suggest({ teamId: T, userId: ADMIN, actionId, value: 'front' });
      expect(d.acks).toEqual([{ options: [{ text: { type: 'plain_text', text: 'Frontend' }, value: frontend }] }]);
    }
  });

  it('limited access gets none; an id no handler takes gets an empty list, logged', async () => {
    expect((await bolt.suggest({ teamId: T, userId: LIMITED, actionId: 'map:job', value: '' })).acked).toEqual({ options: [] });
    expect((await bolt.suggest({ teamId: T, userId: ADMIN, actionId: 'map:nothing', value: '' })).acked).toEqual({ options: [] });
    expect(u.logs.find((l) => l.msg === 'no options handler for this id')).toMatchObject({ level: 30, id: 'map:nothing' });
  });
});
