/**
 * Privacy on request, through signed requests and the emulators: an org admin erases a candidate
 * (the database keeps no personal data, every card message becomes the removed card, a re-import
 * skips them, a new application brings them back); refused to others with nothing changed; the
 * retention setting run by the daily job on a fake clock; uninstall → tokens gone at once, the
 * org's data purged after the grace period (not when reinstalled); `/ats audit` pages and filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftedAction, eventually, startHarness, type Harness } from '../helpers/app';
import { linkViaSlack, firstImport, runImportNow } from '../helpers/flows';
import { createJobViaSlack, seedImport } from '../helpers/candidates';
import { addRule } from '../../src/domain/mapping';
import { loadActor } from '../../src/domain/members';
import { audit } from '../../src/domain/audit';
import { eraseCandidate, erasedApplicants } from '../../src/domain/privacy';
import { PURGE_GRACE_DAYS } from '../../src/domain/org-purge';
import { PRIVACY_JOB } from '../../src/jobs/privacy-jobs';
import { translator } from '../../src/i18n';
import type { CandidateDoc, MediaAccountDoc } from '../../src/storage/types';

const T = 'T0PRIV01';
const T2 = 'T0PRIV02'; // uninstalled, purged
const T3 = 'T0PRIV03'; // uninstalled, reinstalled within the grace period
const ADMIN = 'U0PRIV01ADMIN';
const EN_ADMIN = 'U0PRIVENADMIN';
const JADMIN = 'U0PRIVJADMIN';
const CHANNEL = 'C0PRIVBE';
const KEY = 'wantedly-privacy-key-0001';
const DAY = 24 * 3600_000;
const ja = translator('ja');
const en = translator('en');

let h: Harness;
/** The app's clock runs this far ahead of the real one (retention and purge tests move it). */
let offsetMs = 0;
let account: MediaAccountDoc;

const store = () => h.app.deps.store;
const named = (name: string) => store().candidates.findOne({ teamId: T, name });

beforeAll(async () => {
  h = await startHarness({ media: true, clock: () => new Date(Date.now() + offsetMs), cardPosting: { intervalMs: 5, retryLaterMs: 200 } });
  await h.install(T, {
    installer: ADMIN,
    users: [
      { id: EN_ADMIN, locale: 'en-US' },
      { id: JADMIN, locale: 'en-US' },
    ],
  });
  h.slack.limiter.postMessage.burst = 50;
  h.slack.limiter.postMessage.perSecond = 50;
  h.slack.addChannel({ teamId: T, id: CHANNEL, name: 'backend', members: [h.slack.botUser(T).userId, ADMIN, EN_ADMIN, JADMIN] });
  await createJobViaSlack(h, T, ADMIN, { name: 'Backend', channelId: CHANNEL, admins: [JADMIN] });
  const job = await eventually(() => store().jobs.findOne({ teamId: T, name: 'Backend' }), 'job');
  await store().members.updateOne(
    { teamId: T, userId: EN_ADMIN },
    { $set: { orgRole: 'org_admin', updatedAt: new Date() } },
    { upsert: true },
  );
  await addRule(h.app.deps, await loadActor(h.app.deps, T, ADMIN), {
    medium: 'wantedly',
    pattern: 'Backend',
    match: 'contains',
    jobId: String(job._id),
  });
  h.media!.wantedly.addAccount({ apiKey: KEY });
  h.media!.wantedly.setRateLimit(0);
  h.media!.wantedly.seedEntries(
    KEY,
    ['Erase Me', 'Keep Me', 'Stay Here'].map((name, i) => ({
      id: 880001 + i,
      project_id: 501,
      project_title: 'Backend Engineer',
      kind: 'application' as const,
      created_at: `2026-11-0${i + 1}T01:00:00Z`,
      user: { name },
    })),
  );
  account = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: KEY }, 'W-privacy');
  await firstImport(h, account);
  await eventually(
    async () => (await store().candidates.countDocuments({ teamId: T, 'card.state': 'posted' })) === 3,
    'three cards posted',
  );
}, 90_000);
afterAll(() => h?.close());

describe('erase a candidate', () => {
  it('is refused to a job admin (not an org admin), in their language, with nothing changed', async () => {
    const c = (await named('Erase Me'))!;
    const updates = h.slack.calls('chat.update').length;
    expect(
      await craftedAction(h, { teamId: T, userId: JADMIN, action: { type: 'button', action_id: 'cand:erase', value: String(c._id) } }),
    ).toBe(200);
    await eventually(
      () => store().auditLog.findOne({ teamId: T, actorId: JADMIN, action: 'candidates.erase', allowed: false }),
      'refusal audit-logged',
    );
    const refusal = en('common.refused', { action: en('actions.candidates_erase') });
    await eventually(() => h.slack.messages({ teamId: T }).find((m) => m.text === refusal), 'refusal in English');
    expect(await store().candidates.findOne({ _id: c._id })).toEqual(c);
    expect(h.slack.calls('chat.update').length).toBe(updates);
    // the details they may open show no Erase button
    const opens = h.slack.calls('views.open').length;
    await h.slack.clickButton({ teamId: T, userId: JADMIN, actionId: 'cand:details', value: String(c._id), message: cardRef(c) });
    const open = await eventually(() => h.slack.calls('views.open').slice(opens)[0], 'details');
    expect(JSON.stringify(open.args)).not.toContain('cand:erase');
  });

  it('by an org admin: confirmation naming them, no personal data left, every card message replaced', async () => {
    const c = (await named('Erase Me'))!;
    // a DM copy of the card (as when the channel was archived): updated too
    const client = (await h.app.deps.slack.clientFor(T))!;
    const dm = (await client.conversations.open({ users: ADMIN })).channel!.id!;
    const copy = await client.chat.postMessage({ channel: dm, text: 'Erase Me (copy)' });
    await store().cards.addCopy(c._id!, { channel: dm, ts: copy.ts! });

    const opens = h.slack.calls('views.open').length;
    await h.slack.slash({ teamId: T, userId: ADMIN, channelId: CHANNEL, text: 'candidate Erase Me' });
    const open = await eventually(
      () =>
        h.slack
          .calls('views.open')
          .slice(opens)
          .find((x) => (x.response as { ok?: boolean }).ok),
      'details modal',
    );
    const viewId = (open.response as { view: { id: string } }).view.id;
    const modal = JSON.stringify(h.slack.view(viewId));
    expect(modal).toContain('"action_id":"cand:erase"');
    expect(modal).toContain(ja('privacy.eraseConfirmTitle'));
    expect(modal).toContain('"confirm":{"title"');
    expect(modal).toContain('Erase Me さんの個人データ');
    await h.slack.clickButton({ teamId: T, userId: ADMIN, viewId, actionId: 'cand:erase' });
    await eventually(async () => (await store().candidates.findOne({ _id: c._id }))?.erasedAt, 'erased');
    await eventually(() => JSON.stringify(h.slack.view(viewId) ?? '').includes(ja('privacy.erased')), 'modal says erased');

    const doc = (await store().candidates.findOne({ _id: c._id }))!;
    const text = JSON.stringify(doc);
    for (const secret of ['Erase Me', c.externalId, c.links[0].url, 'Backend Engineer']) expect(text).not.toContain(secret);
    expect(doc).toMatchObject({ teamId: T, medium: 'wantedly', name: '', links: [], erasedBy: ADMIN, jobId: null });
    expect(doc.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(doc.externalId).toBe(`erased:${c._id}`);
    // nothing else in the database names them
    for (const name of ['candidates', 'auditLog', 'importRuns', 'postings', 'cardDigests']) {
      const all = JSON.stringify(await store().db.collection(name).find({ teamId: T }).toArray());
      expect(all, name).not.toContain('Erase Me');
      expect(all, name).not.toContain(`"${c.externalId}"`);
    }
    // the audit entry names the actor and the fingerprint, not the person
    const entry = await store().auditLog.findOne({ teamId: T, action: 'candidates.erase', allowed: true });
    expect(entry).toMatchObject({ actorId: ADMIN, target: { medium: 'wantedly', fingerprint: doc.fingerprint } });

    // the channel card and the DM copy: chat.update to the removed card (the cards' language: ja)
    const removed = ja('privacy.removedCard');
    for (const ref of [cardRef(c), { channel: dm, ts: copy.ts! }]) {
      const call = await eventually(
        () => h.slack.calls('chat.update').find((u) => u.args.channel === ref.channel && u.args.ts === ref.ts && u.args.text === removed),
        `chat.update of ${ref.channel}`,
      );
      const shown = JSON.stringify(call.args.blocks);
      expect(shown).not.toContain('Erase Me');
      expect(shown).not.toContain('cand:details');
      expect(shown).not.toContain('http');
      const now = h.slack.messages({ channel: ref.channel }).find((m) => m.ts === ref.ts)!;
      expect(JSON.stringify(now.blocks)).not.toContain('Erase Me');
    }
    // the others are untouched; search no longer finds the erased candidate, even by id
    expect(await named('Keep Me')).toBeTruthy();
    const replies = h.slack.calls('views.open').length;
    await h.slack.slash({ teamId: T, userId: ADMIN, channelId: CHANNEL, text: `candidate ${c._id}` });
    await eventually(() => h.slack.responses().some((r) => JSON.stringify(r.body).includes(String(c._id))), 'not found answer');
    expect(h.slack.calls('views.open').length).toBe(replies);
  });

  it('a card update Slack fails for a while is tried again until the removed card is there', async () => {
    const [seeded] = await seedImport(h, T, 'wantedly', { externalId: 'w-retry', title: 'Backend Retry' }, 1, { prefix: 'Retry Person' });
    const c = await eventually(async () => {
      const d = await store().candidates.findOne({ _id: seeded._id });
      return d?.card?.state === 'posted' ? d : undefined;
    }, 'card posted');
    h.slack.failNext('chat.update', 'internal_error', 2);
    await eraseCandidate(h.app.deps, await loadActor(h.app.deps, T, ADMIN), String(c._id));
    const removed = (u: { args: Record<string, unknown>; response: unknown }) =>
      u.args.ts === c.card!.ts && u.args.text === ja('privacy.removedCard');
    const ok = await eventually(
      () => h.slack.calls('chat.update').find((u) => removed(u) && (u.response as { ok?: boolean }).ok),
      'removed card after the failures',
    );
    const tries = h.slack.calls('chat.update').filter(removed);
    expect(tries.length).toBe(3);
    expect(tries[2]).toBe(ok);
    await eventually(async () => !(await store().candidates.findOne({ _id: c._id }))?.card?.dirty, 'clean');
  });

  it('erases once: a second erase (a double click, a retry) changes nothing and logs nothing', async () => {
    const doc = (await store().candidates.findOne({ teamId: T, erasedBy: ADMIN }))!;
    const admin = await loadActor(h.app.deps, T, ADMIN);
    const logged = await store().auditLog.countDocuments({ teamId: T, action: 'candidates.erase', allowed: true });
    const again = await Promise.all([
      eraseCandidate(h.app.deps, admin, String(doc._id)),
      eraseCandidate(h.app.deps, admin, String(doc._id)),
    ]);
    expect(again).toEqual([{ erased: false }, { erased: false }]);
    expect(await store().auditLog.countDocuments({ teamId: T, action: 'candidates.erase', allowed: true })).toBe(logged);
    expect(await store().candidates.findOne({ _id: doc._id })).toEqual(doc);
  });

  it('a re-import skips them (counted as skipped); a new application brings them back', async () => {
    // a re-import from the beginning, as a re-linked account does
    await store().mediaAccounts.updateOne({ _id: account._id }, { $set: { cursor: null } });
    const again = await runImportNow(h, account);
    expect(again.lastRun).toMatchObject({ fetched: 3, created: 0, duplicates: 2, skippedErased: 1, outcome: 'success' });
    expect(await named('Erase Me')).toBeNull();
    // they apply again: a new Wantedly entry (a new application id) for the same person
    h.media!.wantedly.seedEntries(KEY, [
      {
        id: 880099,
        project_id: 501,
        project_title: 'Backend Engineer',
        kind: 'application',
        created_at: '2026-11-20T01:00:00Z',
        user: { name: 'Erase Me' },
      },
    ]);
    const next = await runImportNow(h, account);
    expect(next.lastRun).toMatchObject({ fetched: 1, created: 1 });
    expect(await named('Erase Me')).toMatchObject({ externalId: '880099' });
  });

  it('console media: the same id applied again later is a new application; the same application is not', async () => {
    const [c] = await seedImport(h, T, 'green', { externalId: 'g-priv', title: 'QA' }, 1, { prefix: 'Green Person' });
    await eraseCandidate(h.app.deps, await loadActor(h.app.deps, T, ADMIN), String(c._id));
    const same = { externalId: c.externalId, appliedAt: c.appliedAt.toISOString() };
    const later = { externalId: c.externalId, appliedAt: new Date(c.appliedAt.getTime() + DAY).toISOString() };
    const other = { externalId: 'someone-else', appliedAt: same.appliedAt };
    expect([...(await erasedApplicants(h.app.deps, T, 'green', [same, later, other]))]).toEqual([c.externalId]);
    expect((await erasedApplicants(h.app.deps, T, 'green', [later])).size).toBe(0);
    // another workspace's applicant with the same id is not theirs
    expect((await erasedApplicants(h.app.deps, T2, 'green', [same])).size).toBe(0);
  });
});

describe('/ats audit', () => {
  beforeAll(async () => {
    // 40 older entries of another person, one at a known time
    for (let i = 0; i < 40; i++)
      await store().auditLog.insertOne({
        teamId: T,
        at: new Date(Date.UTC(2026, 5, 1, 0, i)),
        actorId: 'U0PRIVOTHER',
        action: 'jobs.edit',
        allowed: true,
        target: { n: i },
      });
    await audit(h.app.deps, { teamId: T2, actorId: 'U0OTHERTEAM', action: 'jobs.edit', allowed: true });
  });

  async function openAudit(userId: string) {
    const before = h.slack.messages({ teamId: T, ephemeral: true }).length;
    await h.slack.slash({ teamId: T, userId, channelId: CHANNEL, text: 'audit' });
    return eventually(
      () =>
        h.slack
          .messages({ teamId: T, ephemeral: true })
          .slice(before)
          .find((m) => m.ephemeralTo === userId),
      'answer',
    );
  }
  const shown = (m: { blocks?: unknown }) => JSON.stringify(m.blocks);

  it('is refused to someone who is not an org admin, in their language', async () => {
    const m = await openAudit(JADMIN);
    expect(m.text).toBe(en('common.refused', { action: en('actions.audit_view') }));
  });

  it('pages with buttons, newest first, times in the org zone, in English for an English speaker', async () => {
    const m = await openAudit(EN_ADMIN);
    expect(m.text).toBe(en('audit.title'));
    expect(shown(m)).toContain('candidates.erase');
    expect(shown(m)).toContain(en('audit.pageNo', { page: 1 }));
    expect(shown(m)).not.toContain('U0OTHERTEAM');
    // 40 entries and more: at least 4 pages of 15, each replacing the message in place
    let last = m;
    let p = 1;
    while (shown(last).includes('audit:page:next')) {
      await h.slack.clickButton({ teamId: T, userId: EN_ADMIN, actionId: 'audit:page:next', message: { channel: m.channel, ts: m.ts } });
      p++;
      last = await eventually(() => {
        const now = h.slack.messages({ teamId: T, ephemeral: true }).find((x) => x.ts === m.ts)!;
        return shown(now).includes(en('audit.pageNo', { page: p })) ? now : undefined;
      }, `page ${p}`);
    }
    expect(p).toBeGreaterThanOrEqual(4);
    // the oldest entry (2026-06-01 00:00 UTC) is last, at 09:00 in Asia/Tokyo, the org's zone
    expect(shown(last)).toContain('2026-06-01 09:00');
    expect(shown(last)).not.toContain('audit:page:next');
    expect(shown(last)).toContain('audit:page:prev');
  });

  it('filters by person and by action (Japanese for a Japanese speaker)', async () => {
    const m = await openAudit(ADMIN);
    expect(m.text).toBe(ja('audit.title'));
    const ref = { channel: m.channel, ts: m.ts };
    const current = () => h.slack.messages({ teamId: T, ephemeral: true }).find((x) => x.ts === m.ts)!;
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'audit:user', message: ref, selectedUser: JADMIN });
    const byPerson = await eventually(() => (shown(current()).includes(`audit_f:${JADMIN}:`) ? current() : undefined), 'person filter');
    expect(shown(byPerson)).toContain(`<@${JADMIN}>`);
    expect(shown(byPerson)).not.toContain('U0PRIVOTHER');
    expect(shown(byPerson)).not.toContain(`<@${ADMIN}>`);
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'audit:action', message: ref, selectedOption: 'audit.view' });
    const both = await eventually(
      () => (shown(current()).includes(`audit_f:${JADMIN}:audit.view`) ? current() : undefined),
      'both filters',
    );
    expect(shown(both)).toContain('audit.view');
    expect(shown(both)).not.toContain('`candidates.erase`');
    // only the action: the erase entry with its fingerprint, by the admin
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'audit:page:clear', message: ref });
    await eventually(() => (shown(current()).includes('"audit_f::"') ? current() : undefined), 'cleared');
    await h.slack.clickButton({ teamId: T, userId: ADMIN, actionId: 'audit:action', message: ref, selectedOption: 'candidates.erase' });
    const erase = await eventually(() => (shown(current()).includes('audit_f::candidates.erase') ? current() : undefined), 'action filter');
    expect(shown(erase)).toContain('fingerprint');
    expect(shown(erase)).toContain(`<@${ADMIN}>`);
    expect(shown(erase)).not.toContain('`jobs.edit`');
  });
});

/** Makes the daily privacy job due now and waits for that run to finish. */
async function runPrivacyJobNow() {
  const jobs = store().db.collection('agendaJobs');
  const before = (await jobs.findOne({ name: PRIVACY_JOB }))?.lastFinishedAt as Date | undefined;
  await jobs.updateOne({ name: PRIVACY_JOB }, { $set: { nextRunAt: new Date() } });
  await eventually(async () => {
    const j = await jobs.findOne({ name: PRIVACY_JOB });
    return j?.lastFinishedAt && (!before || j.lastFinishedAt > before) && !j.lockedAt;
  }, 'privacy job run');
}

describe('retention setting', () => {
  let closedLongAgo: CandidateDoc;
  let closedRecently: CandidateDoc;

  it('is set in /ats settings (empty = off; a bad value is refused under its field)', async () => {
    const opens = h.slack.calls('views.open').length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'settings' });
    const open = await eventually(() => h.slack.calls('views.open').slice(opens)[0], 'settings modal');
    const viewId = (open.response as { view: { id: string } }).view.id;
    expect(JSON.stringify(h.slack.view(viewId))).toContain('"block_id":"retention"');
    const bad = await h.slack.submitView({ teamId: T, userId: ADMIN, viewId, values: { retention: { value: 'abc' } } });
    expect(bad.responseAction).toBe('errors');
    expect(bad.errors).toHaveProperty('retention');
    const ok = await h.slack.submitView({ teamId: T, userId: ADMIN, viewId, values: { retention: { value: '６' } } });
    expect(ok.responseAction).not.toBe('errors');
    await eventually(async () => (await store().orgs.findOne({ _id: T }))?.settings.retentionMonths === 6, 'saved');
  });

  it('the daily job erases candidates closed more than N months ago, once, with a summary', async () => {
    const stage = async (name: string, to: string) => {
      const c = (await named(name))!;
      await craftedAction(h, {
        teamId: T,
        userId: ADMIN,
        action: { type: 'static_select', action_id: 'cand:stage', selected_option: { value: `${c._id}:${to}` } },
      });
      return eventually(async () => {
        const d = await store().candidates.findOne({ _id: c._id });
        return d?.closedAt ? d : undefined;
      }, `${name} closed`);
    };
    closedLongAgo = await stage('Keep Me', 'rejected');
    offsetMs = 5 * 30 * DAY; // five months later
    closedRecently = await stage('Stay Here', 'hired');
    await runPrivacyJobNow();
    expect(await store().candidates.countDocuments({ teamId: T, erasedBy: 'retention' })).toBe(0);

    offsetMs = 7 * 31 * DAY; // seven months after the first was closed, two after the second
    await runPrivacyJobNow();
    const gone = (await store().candidates.findOne({ _id: closedLongAgo._id }))!;
    expect(gone).toMatchObject({ name: '', erasedBy: 'retention' });
    expect(await store().candidates.findOne({ _id: closedRecently._id })).toMatchObject({ name: 'Stay Here' });
    const summary = await store().auditLog.find({ teamId: T, action: 'privacy.retention' }).toArray();
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ actorId: 'retention', target: { months: 6, erased: 1 } });
    // its card became the removed card
    await eventually(
      () => h.slack.calls('chat.update').find((u) => u.args.ts === closedLongAgo.card!.ts && u.args.text === ja('privacy.removedCard')),
      'card replaced',
    );
    // run again: nothing more
    await runPrivacyJobNow();
    expect(await store().auditLog.countDocuments({ teamId: T, action: 'privacy.retention' })).toBe(1);
  });
});

describe('uninstall', () => {
  it('removes the tokens at once, purges the data after the grace period, not when reinstalled', async () => {
    for (const team of [T2, T3]) {
      await h.install(team);
      await seedImport(h, team, 'green', { externalId: `g-${team}`, title: 'Ops' }, 2, { prefix: `${team} person` });
      await audit(h.app.deps, { teamId: team, actorId: 'U0X', action: 'jobs.edit', allowed: true });
    }
    const uninstalledAt = Date.now() + offsetMs;
    await h.slack.uninstall(T2);
    await h.slack.uninstall(T3);
    await eventually(async () => (await store().orgs.findOne({ _id: T3 }))?.purgeAfter, 'marked');
    for (const team of [T2, T3]) {
      expect(await store().installations.countDocuments({ teamId: team })).toBe(0);
      expect(await h.app.deps.slack.clientFor(team)).toBeNull();
      const org = (await store().orgs.findOne({ _id: team }))!;
      expect(org.purgeAfter!.getTime() - org.uninstalledAt!.getTime()).toBe(PURGE_GRACE_DAYS * DAY);
      expect(Math.abs(org.uninstalledAt!.getTime() - uninstalledAt)).toBeLessThan(60_000);
    }
    await h.install(T3); // back within the grace period
    expect((await store().orgs.findOne({ _id: T3 }))?.purgeAfter).toBeUndefined();

    offsetMs += (PURGE_GRACE_DAYS - 1) * DAY;
    await runPrivacyJobNow();
    expect(await store().candidates.countDocuments({ teamId: T2 })).toBe(2);

    offsetMs += 2 * DAY;
    await runPrivacyJobNow();
    for (const name of ['orgs', 'members', 'candidates', 'postings', 'auditLog', 'installations', 'jobs', 'mediaAccounts']) {
      const q = name === 'orgs' ? { _id: T2 } : { teamId: T2 };
      expect(
        await store()
          .db.collection(name)
          .countDocuments(q as never),
        name,
      ).toBe(0);
    }
    // the reinstalled one and the others keep everything
    expect(await store().candidates.countDocuments({ teamId: T3 })).toBe(2);
    expect(await store().orgs.findOne({ _id: T3 })).toBeTruthy();
    expect(await store().candidates.countDocuments({ teamId: T })).toBeGreaterThan(0);
  });
});

describe('single-workspace mode', () => {
  it('a start with a working bot token cancels a purge of that workspace (the app is back)', async () => {
    const T4 = 'T0PRIV04';
    h.slack.addTeam({ id: T4, name: 'single' });
    const token = h.slack.issueBotToken(T4);
    const now = new Date();
    await store().orgs.insertOne({
      _id: T4,
      teamId: T4,
      zone: 'Asia/Tokyo',
      settings: { privateCards: false },
      createdAt: now,
      uninstalledAt: now,
      purgeAfter: new Date(now.getTime() + DAY),
    });
    const single = await startHarness({
      reuse: h,
      env: { SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: '', SLACK_STATE_SECRET: '', SLACK_BOT_TOKEN: token },
    });
    try {
      expect(single.config.slackMode).toBe('single');
      expect(await store().orgs.findOne({ _id: T4 })).not.toHaveProperty('purgeAfter');
    } finally {
      await single.close();
    }
  });
});

function cardRef(c: CandidateDoc) {
  return { channel: c.card!.channel!, ts: c.card!.ts! };
}
