/**
 * One text boundary, end to end: a company, job, account label, posting title and candidate name
 * that all read `Smith & Co <!channel><@U123>*b*_x_`c`` go through the real app, and every payload the
 * Slack emulator received is read the way Slack reads it: mrkdwn decodes &amp; &lt; &gt; once and
 * turns a raw <!channel> or <@U…> into a ping; plain_text (headers, buttons, options, the inputs'
 * initial values) shows its text verbatim. So the value must arrive escaped exactly once in mrkdwn
 * and not at all in plain_text, and no mention may be injected, on every surface: cards, the digest,
 * the import notice, the mapping modal (postings and rules), the job list, the accounts list (and its
 * confirm dialog), the candidate pick list, the details modal, App Home, and the modals' initial values.
 * The media's names with U+202E and NUL arrive clean in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { createJobViaSlack } from '../helpers/candidates';
import { firstImport, linkViaSlack } from '../helpers/flows';
import { addRule } from '../../src/domain/mapping';
import { loadActor } from '../../src/domain/members';

let h: Harness;
const T = 'T0TEXT01';
const ADMIN = 'U0TEXT01ADMIN';
const CH = 'C0TEXTJOB';
const KEY = 'wk_text_0123456789abcdef';
/** 37 characters: fits the account label (40) and the job name (80). */
const EVIL = 'Smith & Co <!channel><@U123>*b*_x_`c`';
const ESCAPED = 'Smith &amp; Co &lt;!channel&gt;&lt;@U123&gt;*b*_x_`c`';
const RLO = '\u202e';

/** Every text object of a payload, by how Slack shows it. */
interface Texts {
  mrkdwn: string[];
  plain: string[];
}

function collect(payload: unknown, into: Texts, top = true): Texts {
  if (Array.isArray(payload)) {
    for (const x of payload) collect(x, into, false);
    return into;
  }
  if (!payload || typeof payload !== 'object') return into;
  const o = payload as Record<string, unknown>;
  if (o.type === 'mrkdwn' && typeof o.text === 'string') into.mrkdwn.push(o.text);
  if (o.type === 'plain_text' && typeof o.text === 'string') into.plain.push(o.text);
  // a message's own text (the notification, and what shows without blocks) is mrkdwn
  if (top && typeof o.text === 'string') into.mrkdwn.push(o.text);
  if (typeof o.initial_value === 'string') into.plain.push(o.initial_value);
  for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v === 'object') collect(v, into, false);
  return into;
}

/** What Slack shows for a mrkdwn text: its entities decoded once (after it parsed <…> sequences). */
const shown = (mrkdwn: string) => mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every payload the app sent: Web API calls that carry text, and response_url posts. */
function payloads(): { surface: string; body: unknown }[] {
  const out: { surface: string; body: unknown }[] = [];
  for (const m of ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.update', 'views.push', 'views.publish'])
    for (const c of h.slack.calls(m)) out.push({ surface: m, body: c.args.view ?? c.args });
  for (const r of h.slack.responses()) out.push({ surface: 'response_url', body: r.body });
  return out;
}

/** The payloads whose JSON contains `marker` (an action id, a callback id, a block id). */
const withMarker = (marker: string) => payloads().filter((p) => JSON.stringify(p.body).includes(marker));

/** Asserts one payload shows EVIL exactly once-escaped (mrkdwn) or verbatim (plain_text), and no mention. */
function expectOneLevel(body: unknown, where: string, expectIn: 'mrkdwn' | 'plain' | 'any' = 'any') {
  const texts = collect(body, { mrkdwn: [], plain: [] });
  const json = JSON.stringify(body);
  expect(json, `${where}: escaped twice`).not.toMatch(/&amp;(amp|lt|gt);/);
  for (const m of texts.mrkdwn) {
    // no raw mention, channel ping or link other than the app's own <#C…>, <@U…> and web links
    for (const seq of m.match(/<[^>]*>/g) ?? [])
      expect(seq, `${where}: injected markup in ${m}`).toMatch(/^<(#C[A-Z0-9]+|@U(?!123>)[A-Z0-9]+|https?:\/\/[^>]+)>$/);
    if (m.includes('Smith')) expect(shown(m), `${where}: ${m}`).toContain(EVIL);
  }
  for (const p of texts.plain) {
    if (p.includes('Smith')) expect(p, `${where}: plain_text must be verbatim`).toContain(EVIL);
    expect(p, `${where}: an entity in plain_text shows as typed`).not.toMatch(/&(amp|lt|gt);/);
  }
  const hits = { mrkdwn: texts.mrkdwn.some((m) => shown(m).includes(EVIL)), plain: texts.plain.some((p) => p.includes(EVIL)) };
  if (expectIn === 'any') expect(hits.mrkdwn || hits.plain, `${where}: the value is not shown at all`).toBe(true);
  else expect(hits[expectIn], `${where}: the value is not shown in ${expectIn}`).toBe(true);
}

async function lastResponse(since: number) {
  return eventually(() => h.slack.responses().slice(since).at(-1), 'a response');
}

beforeAll(async () => {
  h = await startHarness({ media: true, cardPosting: { intervalMs: 5, digestThreshold: 3, leaseMs: 2_000 } });
  await h.install(T, { users: [] });
  h.slack.addChannel({ teamId: T, id: CH, name: 'text-job', members: [h.slack.botUser(T).userId, ADMIN] });
  // the job, through its modal, named EVIL
  await createJobViaSlack(h, T, ADMIN, { name: EVIL, channelId: CH });
  const job = await eventually(() => h.app.deps.store.jobs.findOne({ teamId: T, channelId: CH }), 'job');
  expect(job.name).toBe(EVIL);
  // a rule whose pattern is EVIL routes the posting titled EVIL to it
  await addRule(h.app.deps, await loadActor(h.app.deps, T, ADMIN), {
    medium: 'wantedly',
    pattern: EVIL,
    match: 'exact',
    jobId: String(job._id),
  });
  // four applicants (a burst: a digest and its thread), two with U+202E and NUL in the name
  h.media!.wantedly.addAccount({ apiKey: KEY, companyName: EVIL });
  h.media!.wantedly.setRateLimit(0);
  h.media!.wantedly.seedEntries(
    KEY,
    [1, 2, 3, 4].map((i) => ({
      project_id: 77,
      project_title: EVIL,
      kind: 'application' as const,
      created_at: `2026-11-01T0${i}:00:00Z`,
      user: { name: i % 2 ? `${RLO}${EVIL}\u0000 ${i}` : `${EVIL} ${i}` },
    })),
  );
  const account = await linkViaSlack(h, T, ADMIN, 'wantedly', { api_key: KEY }, EVIL);
  await firstImport(h, account);
  await eventually(
    () => h.slack.messages({ teamId: T, channel: CH }).filter((m) => JSON.stringify(m.blocks).includes('"card_')).length === 4,
    'four cards',
    30_000,
  );
}, 120_000);
afterAll(() => h?.close());

describe('what the media sent is stored clean', () => {
  it('U+202E and NUL are not in the candidates’ names; the posting title is as sent', async () => {
    const names = (await h.app.deps.store.candidates.find({ teamId: T }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual([1, 2, 3, 4].map((i) => `${EVIL} ${i}`));
    expect(await h.app.deps.store.postings.findOne({ teamId: T })).toMatchObject({ title: EVIL });
  });
});

describe('one level of escaping on every surface, no injected mention', () => {
  it('candidate cards and the digest', () => {
    const cards = withMarker('"block_id":"card_').filter((p) => p.surface === 'chat.postMessage');
    expect(cards.length).toBe(4);
    for (const c of cards) expectOneLevel(c.body, 'card', 'mrkdwn');
    const digests = withMarker('"block_id":"digest_');
    expect(digests.length).toBeGreaterThan(0);
    for (const d of digests) expectOneLevel(d.body, 'digest', 'mrkdwn');
  });

  it('the import notice (the account label)', () => {
    const notices = payloads().filter((p) => p.surface === 'chat.postMessage' && JSON.stringify(p.body).includes('"header"'));
    const finished = notices.filter((p) => collect(p.body, { mrkdwn: [], plain: [] }).mrkdwn.some((m) => m.includes('Smith')));
    expect(finished.length).toBeGreaterThan(0);
    for (const n of finished) expectOneLevel(n.body, 'import notice', 'mrkdwn');
  });

  it('the job list, and the job modal’s initial value', async () => {
    const since = h.slack.responses().length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'jobs' });
    const list = await lastResponse(since);
    expectOneLevel(list.body, 'job list', 'mrkdwn');
    const opened = h.slack.calls('views.open').length;
    await h.slack.clickButton({ userId: ADMIN, actionId: 'job:edit', message: { channel: list.message!.channel, ts: list.message!.ts } });
    const modal = await eventually(() => h.slack.calls('views.open').slice(opened)[0], 'job modal');
    expectOneLevel(modal.args.view, 'job modal', 'plain');
    expect(JSON.stringify(modal.args.view)).toContain(JSON.stringify(EVIL).slice(1, -1));
  });

  it('the accounts list (and the unlink confirmation), and the link modal’s initial label', async () => {
    const since = h.slack.responses().length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'accounts' });
    const list = await lastResponse(since);
    expectOneLevel(list.body, 'accounts list', 'mrkdwn');
    // the confirm dialog is plain_text: verbatim
    expect(collect(list.body, { mrkdwn: [], plain: [] }).plain.some((p) => p.includes(EVIL))).toBe(true);
    const opened = h.slack.calls('views.open').length;
    await h.slack.clickButton({
      userId: ADMIN,
      actionId: 'acct:reenter',
      message: { channel: list.message!.channel, ts: list.message!.ts },
    });
    const modal = await eventually(() => h.slack.calls('views.open').slice(opened)[0], 'link modal');
    expectOneLevel(modal.args.view, 'link modal', 'plain');
  });

  it('the mapping modal: postings, account, job and the rules', async () => {
    const opened = h.slack.calls('views.open').length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'mapping' });
    const modal = await eventually(() => h.slack.calls('views.open').slice(opened)[0], 'mapping modal');
    expectOneLevel(modal.args.view, 'mapping modal', 'mrkdwn');
    const rule = collect(modal.args.view, { mrkdwn: [], plain: [] }).mrkdwn.find(
      (m) => m.includes('&lt;!channel') && /exact|一致/i.test(m),
    );
    expect(rule, 'the rule line').toBeDefined();
    expect(rule).toContain(ESCAPED);
    // the job select's option is plain_text: verbatim
    expect(collect(modal.args.view, { mrkdwn: [], plain: [] }).plain).toContain(EVIL);
  });

  it('the candidate pick list (several match) and the details modal', async () => {
    const since = h.slack.responses().length;
    await h.slack.slash({ teamId: T, userId: ADMIN, text: 'candidate Smith' });
    const pick = await lastResponse(since);
    expect(JSON.stringify(pick.body)).toContain('cand:pick');
    expectOneLevel(pick.body, 'pick list', 'mrkdwn');
    const opened = h.slack.calls('views.open').length;
    await h.slack.clickButton({ userId: ADMIN, actionId: 'cand:pick', message: { channel: pick.message!.channel, ts: pick.message!.ts } });
    const modal = await eventually(() => h.slack.calls('views.open').slice(opened)[0], 'details modal');
    expectOneLevel(modal.args.view, 'details modal', 'plain'); // the header
    expectOneLevel(modal.args.view, 'details modal', 'mrkdwn'); // the posting, the job
  });

  it('App Home', async () => {
    const since = h.slack.calls('views.publish').length;
    await h.slack.sendEvent({
      teamId: T,
      event: { type: 'app_home_opened', user: ADMIN, tab: 'home', channel: h.slack.dmChannel(T, ADMIN) },
    });
    const home = await eventually(() => h.slack.calls('views.publish').slice(since)[0], 'views.publish');
    expectOneLevel(home.args.view, 'home', 'mrkdwn');
  });

  it('nothing the app sent anywhere carries the value escaped twice, or a raw <!channel> or <@U123>', () => {
    const all = payloads();
    expect(all.length).toBeGreaterThan(10);
    for (const p of all) {
      const texts = collect(p.body, { mrkdwn: [], plain: [] });
      expect(JSON.stringify(p.body)).not.toMatch(/&amp;(amp|lt|gt);/);
      for (const m of texts.mrkdwn) {
        expect(m).not.toContain('<!channel>');
        expect(m).not.toContain('<@U123>');
      }
    }
  });
});
