/**
 * Candidate cards end to end: content (org's zone, age, profile link, never an e-mail or phone),
 * private cards, exactly once across re-runs and a crash, chat.update on a stage change, and a
 * 150-candidate burst to one channel through the emulator's chat.postMessage limits and 429s.
 *
 * Timing: the emulator's postMessage limit is configured faster than Slack's 1/s (burst 50, 50/s)
 * and the poster's own pace is shortened to 5 ms, so the burst takes seconds, not 150 s; 429s still
 * happen (the bucket runs dry, plus two injected ones) and every one is waited out (Retry-After ≥ 1 s).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { createJobViaSlack, seedImport } from '../helpers/candidates';
import { routeImported } from '../../src/domain/routing';
import { addRule } from '../../src/domain/mapping';
import { loadActor } from '../../src/domain/members';
import type { StoredMessage } from '../../emulators/slack/index';

let h: Harness;
const T = 'T0CARD01';
const ADMIN = 'U0CARD01ADMIN';
const JMEMBER = 'U0CARDJMEMBER';
const STRANGER = 'U0CARDSTRANGER';
const jobIds: Record<string, string> = {};

/** The poster's pace shortened to 5 ms and its lease to 2 s (Slack's real limit is set on the emulator). */
const cardPosting = { intervalMs: 5, digestThreshold: 10, leaseMs: 2_000 };

beforeAll(async () => {
  h = await startHarness({ cardPosting });
  await h.install(T, { users: [{ id: JMEMBER }, { id: STRANGER }] });
  h.slack.limiter.postMessage.burst = 50;
  h.slack.limiter.postMessage.perSecond = 50;
  const bot = h.slack.botUser(T).userId;
  for (const [name, ch] of [
    ['Backend', 'C0CARDBE'],
    ['Burst', 'C0CARDBURST'],
    ['Private', 'C0CARDPRIV'],
    ['Crash', 'C0CARDCRASH'],
  ]) {
    h.slack.addChannel({ teamId: T, id: ch, name: name.toLowerCase(), members: [bot, ADMIN, JMEMBER] });
    await createJobViaSlack(h, T, ADMIN, { name, channelId: ch, members: [JMEMBER] });
    jobIds[name] = String((await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, name }), name))._id);
  }
  const admin = await loadActor(h.app.deps, T, ADMIN);
  await addRule(h.app.deps, admin, { medium: 'bizreach', pattern: 'Backend', match: 'contains', jobId: jobIds.Backend });
  await addRule(h.app.deps, admin, { medium: 'wantedly', pattern: 'Burst', match: 'contains', jobId: jobIds.Burst });
  await addRule(h.app.deps, admin, { medium: 'green', pattern: 'Secret', match: 'contains', jobId: jobIds.Private });
  await addRule(h.app.deps, admin, { medium: 'findy', pattern: 'Crash', match: 'contains', jobId: jobIds.Crash });
}, 60_000);
afterAll(() => h?.close());

const cardsIn = (channel: string) =>
  h.slack.messages({ teamId: T, channel }).filter((m) => JSON.stringify(m.blocks ?? []).includes('"card_'));
const cardId = (m: StoredMessage) =>
  (m.blocks as { block_id?: string }[])
    .find((b) => b.block_id?.startsWith('card_') && !b.block_id.startsWith('card_actions'))!
    .block_id!.slice(5);

describe('a card', () => {
  it('shows name, medium, posting, applied at in the org zone, age and the profile link — never an e-mail', async () => {
    const [c] = await seedImport(h, T, 'bizreach', { externalId: 'b-be', title: 'Backend Engineer' }, 1, {
      prefix: 'Sato',
      age: 31,
      appliedAt: new Date(Date.UTC(2026, 0, 10, 1, 0)),
    });
    const msg = await eventually(() => cardsIn('C0CARDBE')[0], 'card');
    const blocks = JSON.stringify(msg.blocks);
    expect(msg.text).toBe('新しい候補者: Sato 001');
    expect(blocks).toContain('ビズリーチ');
    expect(blocks).toContain('Backend Engineer');
    expect(blocks).toContain('2026-01-10 10:00'); // 01:00 UTC in Asia/Tokyo
    expect(blocks).toContain('31 歳');
    expect(blocks).toContain(`https://example.test/bizreach/`);
    expect(blocks).toContain('cand:details');
    expect(blocks).not.toMatch(/mailto|@example\.com/);
    // channel + ts are stored right after the post (the message can be seen a moment before)
    const doc = await eventually(async () => {
      const d = await h.app.deps.store.candidates.findOne({ _id: c._id });
      return d?.card?.state === 'posted' ? d : undefined;
    }, 'card reference stored');
    expect(doc.card).toMatchObject({ state: 'posted', channel: 'C0CARDBE', ts: msg.ts });
  });

  it('is never posted twice by a re-run, a retry or a second wake-up', async () => {
    await routeImported(h.app.deps, T, 'bizreach', ['b-be']);
    await h.app.deps.cardJobs.wake(T, jobIds.Backend);
    await h.app.deps.cardJobs.wake(T, jobIds.Backend);
    await new Promise((r) => setTimeout(r, 500));
    expect(cardsIn('C0CARDBE')).toHaveLength(1);
  });

  it('is updated in place (chat.update) when the candidate changes stage', async () => {
    const msg = cardsIn('C0CARDBE')[0];
    const before = h.slack.calls('views.open').length;
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'cand:details', message: { channel: msg.channel, ts: msg.ts } });
    await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'details modal',
    );
    const view = h.slack.topView(ADMIN, T) as { id: string };
    expect(JSON.stringify(view)).toContain('Sato 001');
    await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'cand:stage',
      viewId: view.id,
      selectedOption: `${cardId(msg)}:interview`,
    });
    await eventually(() => h.slack.calls('chat.update').find((c) => c.args.ts === msg.ts), 'chat.update of the card');
    await eventually(() => JSON.stringify(cardsIn('C0CARDBE')[0].blocks).includes('面接'), 'card shows the new stage');
    expect(cardsIn('C0CARDBE')).toHaveLength(1);
  });
});

describe('a card posted before the ids had a feature prefix', () => {
  it('still opens the details (candidate_details) and acks its profile link (candidate_profile)', async () => {
    // a card as views/candidate.ts rendered it until then: it stays in the channel as it was posted
    const [c] = await seedImport(h, T, 'bizreach', { externalId: 'b-old', title: 'Old Card Engineer' }, 1, {
      prefix: 'Kato',
      route: false,
    });
    const id = String(c._id);
    const client = (await h.app.deps.slack.clientFor(T))!;
    const old = await client.chat.postMessage({
      channel: 'C0CARDBE',
      text: '新しい候補者: Kato 001',
      blocks: [
        { type: 'section', block_id: `old_card_${id}`, text: { type: 'mrkdwn', text: '*新しい候補者: Kato 001*' } },
        {
          type: 'actions',
          block_id: `old_card_actions_${id}`,
          elements: [
            { type: 'button', text: { type: 'plain_text', text: '詳細' }, action_id: 'candidate_details', value: id, style: 'primary' },
            {
              type: 'button',
              text: { type: 'plain_text', text: 'プロフィール' },
              action_id: 'candidate_profile',
              url: 'https://example.test/profile',
            },
          ],
        },
      ],
    });
    const before = h.slack.calls('views.open').length;
    const click = await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'candidate_details',
      message: { channel: 'C0CARDBE', ts: old.ts! },
    });
    expect(click.status).toBe(200);
    await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'details modal from the old card',
    );
    expect(JSON.stringify(h.slack.topView(ADMIN, T))).toContain('Kato 001');
    const profile = await h.slack.clickButton({
      teamId: T,
      userId: ADMIN,
      actionId: 'candidate_profile',
      message: { channel: 'C0CARDBE', ts: old.ts! },
    });
    expect(profile.status).toBe(200);
    expect(profile.error).toBeUndefined();
  });
});

describe('a card whose candidate moves to another job', () => {
  it('is updated in place, and never posted again in the other channel', async () => {
    const { changeJob } = await import('../../src/domain/cards');
    const msg = cardsIn('C0CARDBE')[0];
    const crashCards = cardsIn('C0CARDCRASH').length;
    await changeJob(h.app.deps, await loadActor(h.app.deps, T, ADMIN), cardId(msg), jobIds.Crash);
    await eventually(() => JSON.stringify(cardsIn('C0CARDBE')[0].blocks).includes('Crash'), 'card shows the new job');
    await new Promise((r) => setTimeout(r, 300));
    expect(cardsIn('C0CARDBE')).toHaveLength(1);
    expect(cardsIn('C0CARDCRASH')).toHaveLength(crashCards);
  });

  it('only an admin of both jobs may move it', async () => {
    const { changeJob } = await import('../../src/domain/cards');
    const msg = cardsIn('C0CARDBE')[0];
    await expect(changeJob(h.app.deps, await loadActor(h.app.deps, T, JMEMBER), cardId(msg), jobIds.Backend)).rejects.toThrow();
    expect(String((await h.app.deps.store.candidates.findOne({ _id: new ObjectId(cardId(msg)) }))?.jobId)).toBe(jobIds.Crash);
  });
});

describe('/ats settings', () => {
  it('is refused to someone who is not an org admin', async () => {
    const opens = h.slack.calls('views.open').length;
    const res = await h.slack.slash({ teamId: T, userId: JMEMBER, text: 'settings' });
    expect(JSON.stringify(await eventually(() => res.responses()[0], 'refusal'))).toContain('権限がありません');
    expect(h.slack.calls('views.open').length).toBe(opens);
  });
});

describe('private cards', () => {
  it('an org admin turns them on in /ats settings; a card then shows only job, medium and a button', async () => {
    const before = h.slack.calls('views.open').length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'settings' });
    const open = await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'settings modal',
    );
    const res = await h.slack.submitView({
      teamId: T,
      userId: ADMIN,
      viewId: (open.response as { view: { id: string } }).view.id,
      values: { cards: { value: 'private' }, zone: { value: ' asia/tokyo ' } },
    });
    expect(res.responseAction).not.toBe('errors');
    await eventually(async () => (await h.app.deps.store.orgs.findOne({ _id: T }))?.settings.privateCards, 'setting saved');
    expect((await h.app.deps.store.orgs.findOne({ _id: T }))?.zone).toBe('Asia/Tokyo'); // stored by its canonical name
    await seedImport(h, T, 'green', { externalId: 'g-secret', title: 'Secret Project Lead' }, 1, { prefix: 'Tanaka' });
    const msg = await eventually(() => cardsIn('C0CARDPRIV')[0], 'private card');
    const text = JSON.stringify({ text: msg.text, blocks: msg.blocks });
    expect(text).not.toContain('Tanaka');
    expect(text).not.toContain('Secret Project');
    expect(text).not.toContain('example.test');
    expect(text).toContain('Private');
    expect(text).toContain('Green');
    expect(text).toContain('cand:details');
  });

  it('the Details button shows the name to the job member, and refuses someone not on the job', async () => {
    const msg = cardsIn('C0CARDPRIV')[0];
    let before = h.slack.calls('views.open').length;
    await h.slack.clickButton({ teamId: T, userId: JMEMBER, actionId: 'cand:details', message: { channel: msg.channel, ts: msg.ts } });
    await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(before)
          .find((c) => (c.response as { ok?: boolean }).ok),
      'details for the member',
    );
    expect(JSON.stringify(h.slack.topView(JMEMBER, T))).toContain('Tanaka 001');
    before = h.slack.calls('views.open').length;
    h.slack.joinChannel('C0CARDPRIV', STRANGER);
    await h.slack.clickButton({ teamId: T, userId: STRANGER, actionId: 'cand:details', message: { channel: msg.channel, ts: msg.ts } });
    await eventually(
      () => h.app.deps.store.auditLog.findOne({ teamId: T, actorId: STRANGER, action: 'candidates.view', allowed: false }),
      'refusal audit-logged',
    );
    expect(h.slack.calls('views.open').length).toBe(before);
    await h.app.deps.store.orgs.updateOne({ _id: T }, { $set: { 'settings.privateCards': false } });
  });
});

describe('after a crash', () => {
  it('a card left "posting" is found in the channel history and not posted again; one not found is posted once', async () => {
    const jobId = new ObjectId(jobIds.Crash);
    const [posted, lost] = await seedImport(h, T, 'findy', { externalId: 'f-crash', title: 'Crash Test' }, 2, {
      prefix: 'Crash',
      route: false,
    });
    const past = new Date(Date.now() - 60_000);
    for (const c of [posted, lost]) {
      await h.app.deps.store.candidates.updateOne(
        { _id: c._id },
        { $set: { jobId, card: { state: 'posting', jobId, channel: 'C0CARDCRASH', claimedAt: past, leaseUntil: past, attempts: 1 } } },
      );
    }
    // the first one reached Slack before the crash: its message is in the channel
    const client = (await h.app.deps.slack.clientFor(T))!;
    const sent = await client.chat.postMessage({
      channel: 'C0CARDCRASH',
      text: 'Crash 001',
      blocks: [{ type: 'section', block_id: `card_${posted._id}`, text: { type: 'mrkdwn', text: 'Crash 001' } }],
    });
    await h.app.deps.cardJobs.wake(T, jobIds.Crash);
    await eventually(
      async () =>
        (await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'f-crash', 'card.state': 'posted' })) === 2,
      'both posted',
    );
    const msgs = cardsIn('C0CARDCRASH');
    expect(msgs.map(cardId).sort()).toEqual([String(posted._id), String(lost._id)].sort());
    expect((await h.app.deps.store.candidates.findOne({ _id: posted._id }))?.card?.ts).toBe(sent.ts);
  });
});

describe('a burst of 150 candidates to one channel', () => {
  it('posts one digest with every card in its thread, once each, in applied-at order, through 429s', async () => {
    h.slack.injectRateLimit('chat.postMessage', { times: 2, retryAfterSec: 1 });
    const callsBefore = h.slack.calls('chat.postMessage').length;
    const docs = await seedImport(h, T, 'wantedly', { externalId: 'w-burst', title: 'Burst Engineer' }, 150, {
      prefix: 'Burst',
      shuffle: true,
      stepMs: 1_000,
    });
    await eventually(
      async () =>
        (await h.app.deps.store.candidates.countDocuments({ teamId: T, postingExternalId: 'w-burst', 'card.state': 'posted' })) === 150,
      'all 150 posted',
      90_000,
    );
    const all = h.slack.messages({ teamId: T, channel: 'C0CARDBURST' });
    const top = all.filter((m) => !m.threadTs || m.threadTs === m.ts);
    expect(top).toHaveLength(1); // the digest, not 150 top-level messages
    expect(JSON.stringify(top[0].blocks)).toContain('digest_');
    expect(top[0].text).toContain('150');
    const thread = all.filter((m) => m.threadTs === top[0].ts && m.ts !== top[0].ts);
    const ids = thread.map(cardId);
    expect(ids).toHaveLength(150);
    expect(new Set(ids).size).toBe(150);
    const byApplied = [...docs].sort((a, b) => a.appliedAt.getTime() - b.appliedAt.getTime()).map((d) => String(d._id));
    expect(ids).toEqual(byApplied);
    const calls = h.slack.calls('chat.postMessage').slice(callsBefore);
    expect(calls.filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(2);
    // every 429 was waited out: no post followed a 429 on this channel sooner than its Retry-After
    for (let i = 0; i < calls.length - 1; i++) {
      if (calls[i].status !== 429) continue;
      const wait = Number((calls[i].response as { retry_after?: number }).retry_after ?? 1);
      const next = calls.slice(i + 1).find((c) => c.args.channel === 'C0CARDBURST');
      if (next) expect(next.at - calls[i].at).toBeGreaterThanOrEqual(wait * 1000 - 50);
    }
  }, 120_000);
});

describe('a post whose answer is lost (the message reached Slack, the response did not)', () => {
  let h2: Harness;
  let target = '';
  let dropNext = 0;
  let proxy: Server;
  const T9 = 'T0CARD09';
  const ADMIN9 = 'U0CARD09ADMIN';

  beforeAll(async () => {
    // a proxy in front of the emulator's Web API that can forward a chat.postMessage and then cut
    // the connection before the answer: the poster cannot know whether the card was posted
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = await fetch(`${target}${(req.url ?? '').replace(/^\//, '')}`, {
        method: req.method,
        headers: {
          'content-type': String(req.headers['content-type'] ?? ''),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        },
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await up.arrayBuffer());
      if (req.url?.includes('chat.postMessage') && dropNext > 0) {
        dropNext--;
        req.socket.destroy();
        return;
      }
      res.writeHead(
        up.status,
        Object.fromEntries(
          [...up.headers].filter(([k]) => k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding'),
        ),
      );
      res.end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as AddressInfo).port;
    h2 = await startHarness({ env: { SLACK_API_URL: `http://127.0.0.1:${port}/` }, cardPosting });
    target = h2.slack.apiUrl;
    await h2.install(T9);
    const bot = h2.slack.botUser(T9).userId;
    h2.slack.addChannel({ teamId: T9, id: 'C0CARDLOST', name: 'lost', members: [bot, ADMIN9] });
    await createJobViaSlack(h2, T9, ADMIN9, { name: 'Lost', channelId: 'C0CARDLOST' });
    const job = await eventually(() => h2.app.deps.store.jobs.findOne({ teamId: T9, name: 'Lost' }), 'job');
    await addRule(h2.app.deps, await loadActor(h2.app.deps, T9, ADMIN9), {
      medium: 'paiza',
      pattern: 'Lost',
      match: 'contains',
      jobId: String(job._id),
    });
  }, 60_000);
  afterAll(async () => {
    await h2?.close();
    proxy?.close();
  });

  it('is found in the channel afterwards and not posted again', async () => {
    dropNext = 1;
    await seedImport(h2, T9, 'paiza', { externalId: 'p-lost', title: 'Lost Engineer' }, 2, { prefix: 'Lost' });
    await eventually(
      async () =>
        (await h2.app.deps.store.candidates.countDocuments({ teamId: T9, postingExternalId: 'p-lost', 'card.state': 'posted' })) === 2,
      'both posted',
      30_000,
    );
    const msgs = h2.slack.messages({ teamId: T9, channel: 'C0CARDLOST' });
    expect(msgs.map((m) => m.text).sort()).toEqual(['新しい候補者: Lost 001', '新しい候補者: Lost 002']);
    expect(dropNext).toBe(0);
    const first = await h2.app.deps.store.candidates.findOne({ teamId: T9, name: 'Lost 001' });
    expect(first?.card?.ts).toBe(msgs.find((m) => m.text?.endsWith('Lost 001'))!.ts);
  }, 60_000);
});
