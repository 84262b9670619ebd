/**
 * Ack first (issue 13): no handler asks Slack before it acks — slash commands, buttons, modal
 * submissions, options and events — whatever the directory knows about the user. Each delivery's
 * ack records how many Web API calls (the listener's client and the domain's) were made by then:
 * none. Someone the directory has not read yet gets the org's language and, where a role must be
 * decided for them, "try again in a moment" instead of a guess. A modal submission still working
 * at its ack budget is acked with "still saving", and submitting it again is the same request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import { startUnitDeps, type UnitDeps } from '../../helpers/deps';
import { startBolt, type BoltHarness } from '../../helpers/bolt';

const T = 'T0HACK';
const ADMIN = 'U0HACKADMIN'; // an org admin the directory knows (English)
const NEWADMIN = 'U0HACKNEWADMIN'; // an org admin the directory has not read yet
const NEWBIE = 'U0HACKNEWBIE'; // nobody gave them a role, the directory has not read them yet
const en = translator('en');
const ja = translator('ja');
let u: UnitDeps;
let bolt: BoltHarness;

/** Delivers `body`; the ack records how many Slack calls had been made when it came. */
async function deliverCounting(body: Record<string, unknown>) {
  const callsAtAck: number[] = [];
  const acks: unknown[] = [];
  const before = bolt.client.calls.length; // the deliveries before this one have finished
  await bolt.app.processEvent({
    body,
    ack: async (r?: unknown) => {
      callsAtAck.push(bolt.client.calls.length - before);
      acks.push(r);
    },
  });
  return { acks, callsAtAck, callsAfter: bolt.client.calls.length - before };
}

/** The body one of the harness's builders would deliver (captured, not delivered). */
async function bodyOf(send: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const real = bolt.app.processEvent.bind(bolt.app);
  let captured: Record<string, unknown> | undefined;
  bolt.app.processEvent = async (e) => {
    captured = e.body as Record<string, unknown>;
    await e.ack();
  };
  try {
    await send();
  } finally {
    bolt.app.processEvent = real;
  }
  return captured!;
}

beforeAll(async () => {
  u = await startUnitDeps('h_ackfirst');
  u.addUser(T, ADMIN, { locale: 'en' });
  u.addUser(T, NEWADMIN, { locale: 'en', unknownYet: true });
  u.addUser(T, NEWBIE, { locale: 'en', unknownYet: true });
  await u.setRole(T, ADMIN, 'org_admin');
  await u.setRole(T, NEWADMIN, 'org_admin');
  bolt = startBolt(u.deps, () => undefined, { ackBudgetMs: 200 });
  u.setClient(bolt.client.client); // the domain's Slack calls are counted too
});
afterAll(() => u?.close());
beforeEach(() => {
  bolt.reset();
  u.refreshed.length = 0;
});

describe('no Slack call before the ack', () => {
  it('in slash commands, buttons, submissions, options and events, for known and unknown users', async () => {
    const deliveries = [
      await bodyOf(() => bolt.slash({ teamId: T, userId: NEWBIE, text: 'help' })),
      await bodyOf(() => bolt.slash({ teamId: T, userId: ADMIN, text: 'jobs' })),
      await bodyOf(() => bolt.slash({ teamId: T, userId: NEWADMIN, text: 'job new' })),
      await bodyOf(() => bolt.click({ teamId: T, userId: ADMIN, actionId: 'job:new' })),
      await bodyOf(() => bolt.click({ teamId: T, userId: NEWBIE, actionId: 'map:open', where: 'dm' })),
      await bodyOf(() =>
        bolt.submit({
          teamId: T,
          userId: NEWADMIN,
          callbackId: 'job:save',
          privateMetadata: '{"jobId":null}',
          values: { name: 'Ack Job', channel: 'C0HACK' },
        }),
      ),
      await bodyOf(() =>
        bolt.submit({ teamId: T, userId: NEWBIE, callbackId: 'set:save', values: { zone: 'Asia/Tokyo', cards: 'standard' } }),
      ),
      await bodyOf(() => bolt.suggest({ teamId: T, userId: ADMIN, actionId: 'map:job', value: 'Ack' })),
      await bodyOf(() => bolt.event(T, { type: 'app_home_opened', user: NEWBIE, tab: 'home', channel: 'D0HACK' })),
    ];
    for (const body of deliveries) {
      const d = await deliverCounting(body);
      const what = JSON.stringify(body).slice(0, 120);
      expect(d.acks.length, what).toBe(1);
      expect(d.callsAtAck, what).toEqual([0]);
    }
    // the work after the acks did reach Slack (views.open, the channel check, the home)
    expect(bolt.client.to('views.open').length).toBeGreaterThanOrEqual(2);
    expect(bolt.client.to('conversations.info')).toHaveLength(1);
    expect(u.refreshed).toEqual([`${T}:${NEWBIE}`]); // App Home opened: their facts read again, in the background
  });

  it('someone not read yet: the help in the org’s language; a role-bound answer is "try again in a moment"', async () => {
    const help = await deliverCounting(await bodyOf(() => bolt.slash({ teamId: T, userId: NEWBIE, text: 'help' })));
    expect(JSON.stringify(help.acks[0])).toContain(ja('help.title')); // the org's language (Japanese), not a guess of theirs
    const known = await deliverCounting(await bodyOf(() => bolt.slash({ teamId: T, userId: ADMIN, text: 'help' })));
    expect(JSON.stringify(known.acks[0])).toContain(en('help.title'));

    await u.deps.store.orgs.updateOne(
      { _id: T },
      { $set: { teamId: T, zone: 'Asia/Tokyo', 'settings.privateCards': false, 'settings.language': 'en', createdAt: new Date() } },
      { upsert: true },
    );
    const d = await deliverCounting(
      await bodyOf(() =>
        bolt.submit({ teamId: T, userId: NEWBIE, callbackId: 'set:save', values: { zone: 'Asia/Tokyo', cards: 'standard' } }),
      ),
    );
    // a settings save by someone with no role, before Slack told us who they are: nothing decided, nothing saved
    expect(d.acks).toEqual([undefined]);
    expect(bolt.dms(NEWBIE).join('\n')).toContain(ja('ackFirst.notYetKnown'));
    expect((await u.deps.store.auditLog.find({ teamId: T, actorId: NEWBIE }).toArray()).length).toBe(0);
  });
});

describe('a modal submission still working at its ack budget', () => {
  it('is acked with "still saving"; the same modal submitted again is the same request: one job', async () => {
    const jobs = u.deps.store.jobs;
    const insertOne = jobs.insertOne.bind(jobs);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    jobs.insertOne = (async (...a: Parameters<typeof insertOne>) => {
      await held; // a database slower than the ack budget
      return insertOne(...a);
    }) as typeof jobs.insertOne;
    const body = await bodyOf(() =>
      bolt.submit({
        teamId: T,
        userId: ADMIN,
        callbackId: 'job:save',
        viewId: 'V0HACKSLOW',
        privateMetadata: '{"jobId":null}',
        values: { name: 'Slow Job', channel: 'C0HACK' },
      }),
    );
    (body.view as { blocks: unknown[] }).blocks = [
      { type: 'input', block_id: 'name' },
      { type: 'input', block_id: 'channel' },
    ];
    const acks: unknown[] = [];
    let acked!: () => void;
    const ackedOnce = new Promise<void>((r) => (acked = r));
    try {
      const first = bolt.app.processEvent({
        body,
        ack: async (r?: unknown) => {
          acks.push(r);
          acked();
        },
      });
      await ackedOnce; // acked while the write is held
      expect(acks).toEqual([{ response_action: 'errors', errors: { name: en('ackFirst.stillSaving') } }]);
      release();
      await first;
      expect(acks).toHaveLength(1); // the handler's own late ack is dropped
    } finally {
      release();
      jobs.insertOne = insertOne;
    }
    // the user submits the same modal again (a new trigger_id, the same view id)
    const again = await deliverCounting({ ...body, trigger_id: `${Date.now()}.again.unit` });
    expect(again.acks).toEqual([undefined]); // closes: not "name taken"
    expect(await jobs.countDocuments({ teamId: T, nameKey: 'slow job' })).toBe(1);
    expect(bolt.dms(ADMIN).filter((m) => m.includes('Slow Job')).length).toBeGreaterThanOrEqual(1);
  }, 20_000);
});
