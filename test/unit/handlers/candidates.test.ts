/** commands/candidates.ts: `/ats candidate`, the `cand:` buttons and the stage select, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import type { CandidateDoc } from '../../../src/storage/types';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';
import { seedImport } from '../../helpers/candidates';
import type { Harness } from '../../helpers/app';

const T = 'T0HCAND';
const ADMIN = 'U0HCANDADMIN';
const STRANGER = 'U0HCANDSTRANGER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;
let tanaka: CandidateDoc[];

const opened = () => bolt.client.to('views.open').map((c) => c.args.view);
const ephemerals = () =>
  bolt.client.to('chat.postEphemeral').map((c) => ({ channel: c.args.channel, user: c.args.user, text: c.args.text }));

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_candidates', T, { admins: [ADMIN], others: [STRANGER] }));
  tanaka = await seedImport({ app: { deps: u.deps } } as unknown as Harness, T, 'green', { externalId: 'g-qa', title: 'QA Engineer' }, 2, {
    prefix: 'Tanaka',
  });
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats candidate', () => {
  it('without a name says how to use it; a name nobody has says so', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'candidate' });
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'candidate Suzuki' });
    expect(bolt.responded.map((r) => r.body.text)).toEqual([t('candidate.usage'), t('candidate.notFound', { query: 'Suzuki' })]);
  });

  it('one match opens its details; several answer a list with a Details button each (cand:pick)', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'candidate Tanaka 002' });
    expect(opened()).toEqual([
      expect.objectContaining({ callback_id: 'cand:modal', private_metadata: JSON.stringify({ candidateId: String(tanaka[1]._id) }) }),
    ]);
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'candidate tanaka' });
    const list = JSON.stringify(bolt.responded[0].body.blocks);
    for (const c of tanaka) expect(list).toContain(`"action_id":"cand:pick","value":"${c._id}"`);
  });
});

describe('candidate buttons', () => {
  it('cand:details on a card opens the details modal, with the stage select for who may change it', async () => {
    const d = await bolt.click({ teamId: T, userId: ADMIN, actionId: 'cand:details', value: String(tanaka[0]._id), where: 'channel' });
    expect(d.acks).toEqual([undefined]);
    const [view] = opened();
    expect(view.callback_id).toBe('cand:modal');
    expect(JSON.stringify(view)).toContain('Tanaka 001');
    expect(JSON.stringify(view)).toContain('"action_id":"cand:stage"');
  });

  it('cand:details refused to someone not on the job: an ephemeral in the card’s channel, no modal, audit-logged', async () => {
    await bolt.click({ teamId: T, userId: STRANGER, actionId: 'cand:details', value: String(tanaka[0]._id), where: 'channel' });
    expect(opened()).toHaveLength(0);
    expect(ephemerals()).toEqual([
      { channel: 'C0UNITCHAN', user: STRANGER, text: t('common.refused', { action: t('actions.candidates_view') }) },
    ]);
    expect(bolt.responded).toHaveLength(0);
    expect(await u.deps.store.auditLog.countDocuments({ teamId: T, actorId: STRANGER, action: 'candidates.view', allowed: false })).toBe(1);
  });

  it('cand:pick in the search answer opens the details', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'cand:pick', value: String(tanaka[1]._id) });
    expect(JSON.stringify(opened()[0])).toContain('Tanaka 002');
  });

  it('cand:profile (a link button) is acked and nothing else happens', async () => {
    const d = await bolt.click({ teamId: T, userId: ADMIN, actionId: 'cand:profile', where: 'channel' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.client.calls).toEqual([]);
    expect(bolt.responded).toEqual([]);
  });

  it('a card posted before the prefixes (candidate_details, candidate_profile) still works', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'candidate_details', value: String(tanaka[0]._id), where: 'channel' });
    expect(JSON.stringify(opened()[0])).toContain('Tanaka 001');
    const profile = await bolt.click({ teamId: T, userId: ADMIN, actionId: 'candidate_profile', where: 'channel' });
    expect(profile.acks).toEqual([undefined]);
    expect(bolt.client.calls).toHaveLength(1);
  });

  it('a Details value that is no candidate id is malformed', async () => {
    await bolt.click({ teamId: T, userId: ADMIN, actionId: 'cand:details', value: '../../etc', where: 'channel' });
    expect(ephemerals().map((e) => e.text)).toEqual([t('common.malformed')]);
  });
});

describe('the stage select (cand:stage)', () => {
  const select = (value: string) =>
    bolt.click({
      teamId: T,
      userId: ADMIN,
      actionId: 'cand:stage',
      blockId: 'stage',
      selected: value,
      where: 'modal',
      view: { id: 'V0CANDMODAL', callback_id: 'cand:modal' },
    });

  it('changes the stage and updates the modal in place', async () => {
    await select(`${tanaka[0]._id}:interview`);
    expect((await u.deps.store.candidates.findOne({ _id: tanaka[0]._id }))?.stage).toBe('interview');
    const [update] = bolt.client.to('views.update');
    expect(update.args.view_id).toBe('V0CANDMODAL');
    expect(JSON.stringify(update.args.view)).toContain(
      `"initial_option":{"text":{"type":"plain_text","text":"${t('candidate.stages.interview')}","emoji":true},"value":"${tanaka[0]._id}:interview"}`,
    );
  });

  it('a stage that does not exist is malformed and changes nothing', async () => {
    await select(`${tanaka[0]._id}:hired_twice`);
    expect((await u.deps.store.candidates.findOne({ _id: tanaka[0]._id }))?.stage).toBe('interview');
    expect(bolt.client.to('views.update')).toHaveLength(0);
    expect(bolt.client.to('chat.postMessage').map((c) => c.args.text)).toEqual([t('common.malformed')]);
  });
});
