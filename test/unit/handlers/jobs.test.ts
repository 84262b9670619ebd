/** commands/jobs.ts: `/ats job new`, `/ats jobs`, the job modal, the `job:` buttons and member_joined_channel, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

const T = 'T0HJOBS';
const ADMIN = 'U0HJOBSADMIN';
const MEMBER = 'U0HJOBSMEMBER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

const save = (userId: string, values: Record<string, string | string[]>, meta = '{"jobId":null}') =>
  bolt.submit({ teamId: T, userId, callbackId: 'job:save', privateMetadata: meta, values });

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_jobs', T, { admins: [ADMIN], others: [MEMBER] }));
  u.setClient(bolt.client.client); // the domain's conversations.info goes to the same fake
  bolt.client.answer('conversations.info', (a) => ({ ok: true, channel: { id: a.channel, is_member: a.channel !== 'C0HJOBSOUT' } }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats job', () => {
  it('`job new` opens the empty job modal', async () => {
    const d = await bolt.slash({ teamId: T, userId: ADMIN, text: 'job new' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.client.to('views.open')[0].args.view).toMatchObject({ callback_id: 'job:save', private_metadata: '{"jobId":null}' });
  });

  it('another `job` word is an unknown command', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'job delete' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded[0].body.text).toBe(t('common.unknownCommand', { text: 'job delete' }));
  });

  it('is refused to someone who may not create jobs', async () => {
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'job new' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded[0].body.text).toBe(t('common.refused', { action: t('actions.jobs_create') }));
  });
});

describe('the job modal (job:save)', () => {
  it('creates the job, acks, and tells the creator by DM', async () => {
    const d = await save(ADMIN, { name: '  Backend   Engineer ', channel: 'C0HJOBSBE', admins: [MEMBER] });
    expect(d.acks).toEqual([undefined]);
    const job = await u.deps.store.jobs.findOne({ teamId: T, name: 'Backend Engineer' });
    expect(job).toMatchObject({ channelId: 'C0HJOBSBE', admins: [MEMBER], createdBy: ADMIN });
    expect(bolt.dms(ADMIN)).toEqual([t('jobs.created', { name: 'Backend Engineer', channel: 'C0HJOBSBE' })]);
  });

  it('answers field errors (no name, no channel) and a taken name under the name', async () => {
    expect((await save(ADMIN, { name: ' ' })).acked).toEqual({
      response_action: 'errors',
      errors: { name: expect.any(String), channel: expect.any(String) },
    });
    expect((await save(ADMIN, { name: 'backend engineer', channel: 'C0HJOBSBE' })).acked).toEqual({
      response_action: 'errors',
      errors: { name: t('jobs.nameTaken') },
    });
    expect(await u.deps.store.jobs.countDocuments({ teamId: T })).toBe(1);
  });

  it('an edit saves the changes and wakes the job’s card poster', async () => {
    const job = (await u.deps.store.jobs.findOne({ teamId: T, name: 'Backend Engineer' }))!;
    const meta = JSON.stringify({ jobId: String(job._id), version: job.updatedAt.getTime() });
    const d = await save(ADMIN, { name: 'Backend', channel: 'C0HJOBSBE', admins: [MEMBER] }, meta);
    expect(d.acks).toEqual([undefined]);
    expect((await u.deps.store.jobs.findOne({ _id: job._id }))?.name).toBe('Backend');
    expect(u.jobs).toEqual([`wake ${job._id}`]);
    expect(bolt.dms(ADMIN)).toEqual([t('jobs.updated', { name: 'Backend' })]);
  });

  it('a tampered private_metadata is answered under the name', async () => {
    expect((await save(ADMIN, { name: 'X', channel: 'C0HJOBSBE' }, '{"jobId":"nope"}')).acked).toMatchObject({
      response_action: 'errors',
      errors: { name: expect.stringContaining('metadata') },
    });
  });
});

describe('job buttons', () => {
  it('job:edit opens the job modal with the job and its version; job:new the empty one', async () => {
    const job = (await u.deps.store.jobs.findOne({ teamId: T, name: 'Backend' }))!;
    await bolt.click({ teamId: T, userId: MEMBER, actionId: 'job:edit', value: String(job._id) }); // a job admin
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'job:new', value: 'new' });
    const [edit, create] = bolt.client.to('views.open').map((c) => c.args.view);
    expect(JSON.parse(edit.private_metadata)).toEqual({ jobId: String(job._id), version: job.updatedAt.getTime() });
    expect(JSON.stringify(edit.blocks)).toContain('"initial_value":"Backend"');
    expect(create.private_metadata).toBe('{"jobId":null}');
  });

  it('job:edit with a value that is no job id is malformed, and opens nothing', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'job:edit', value: '' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('common.malformed')]);
  });

  it('job_edit from a `/ats jobs` answer posted before the prefixes still opens the job', async () => {
    const job = (await u.deps.store.jobs.findOne({ teamId: T, name: 'Backend' }))!;
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'job_edit', value: String(job._id) });
    expect(JSON.parse(bolt.client.to('views.open')[0].args.view.private_metadata).jobId).toBe(String(job._id));
  });
});

describe('/ats jobs', () => {
  it('lists the jobs with their edit buttons, and the new-job button for who may create', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'jobs' });
    const blocks = JSON.stringify(bolt.responded[0].body.blocks);
    expect(blocks).toContain('Backend');
    expect(blocks).toContain('"action_id":"job:edit"');
    expect(blocks).toContain('"action_id":"job:new"');
  });
});

describe('member_joined_channel', () => {
  it('the bot joining clears the channel problem of its jobs and wakes them; someone else joining does nothing', async () => {
    const id = new ObjectId();
    const now = new Date();
    await u.deps.store.jobs.insertOne({
      _id: id,
      teamId: T,
      name: 'Waiting',
      channelId: 'C0HJOBSOUT',
      admins: [],
      members: [],
      createdBy: ADMIN,
      createdAt: now,
      updatedAt: now,
      channelIssue: { reason: 'not_in_channel', since: now },
    });
    await bolt.event(T, { type: 'member_joined_channel', user: MEMBER, channel: 'C0HJOBSOUT', channel_type: 'C', team: T });
    expect(u.jobs).toEqual([]);
    expect((await u.deps.store.jobs.findOne({ _id: id }))?.channelIssue).toBeDefined();
    await bolt.event(T, { type: 'member_joined_channel', user: 'U0UNITBOT', channel: 'C0HJOBSOUT', channel_type: 'C', team: T });
    expect(u.jobs).toEqual([`wake ${id}`]);
    expect((await u.deps.store.jobs.findOne({ _id: id }))?.channelIssue).toBeUndefined();
  });
});
