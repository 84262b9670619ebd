/**
 * Fuzzing the app over HTTP (issue 13): random and mutated Slack payloads, correctly signed so that
 * they reach the handlers, generated with fast-check (seeded: FUZZ_SEED replays a run; shrinking
 * finds a small failing case). The payloads start from what the app really renders: the action_ids
 * and callback_ids of views/, the modals rendered by views/ with their input blocks filled as Slack
 * fills them, the four events, `/ats` with its subcommands. A case then mutates one to three places
 * of a payload: another type, a missing key, a huge, empty or junk string, another team's, user's or
 * channel's id, a deep nesting, a MongoDB operator.
 *
 * The properties, for every case: no 5xx and no 404 (Bolt's answer after 3 s unacknowledged), no
 * stack in the response body, no unhandled error in the logs; the app still answers `/ats help`
 * (checked every 50 cases and at the end); and a refused request changes nothing in the database
 * (the canonical dump of every collection but `deliveries` and `auditLog`, which record every
 * request and every refusal by design). "Refused" is decided by who sends it: most cases act as a
 * workspace member with no role (NOBODY), someone of another workspace or an unknown user: no
 * request of theirs may change anything, whatever its answer. The org admin's cases may change
 * things; for them the dump is compared only when the answer was a refusal (4xx, or
 * `response_action: errors`). The job worker is off, so only requests write.
 */
import fc from 'fast-check';
import { translator } from '../../src/i18n';
import { MEDIA, STAGES } from '../../src/vocabulary';
import { LEGACY_ACTION_IDS } from '../../commands';
import { ACCOUNT_ACTIONS } from '../../views/accounts';
import { CANDIDATE_ACTIONS, DETAILS_CALLBACK } from '../../views/candidate';
import { HOME_OPEN_MAPPING } from '../../views/home';
import { OPEN_MAPPING_ACTION } from '../../views/import-notices';
import { JOB_ACTIONS, jobModal } from '../../views/jobs';
import { linkModal } from '../../views/link';
import { MAPPING_ACTIONS, MAPPING_CALLBACK, ruleModal } from '../../views/mapping';
import { rolesModal } from '../../views/roles';
import { settingsModal } from '../../views/settings';
import { insertLinkedAccount } from './accounts';
import { postSigned, startHarness, type Harness } from './app';
import { createJobViaSlack, seedImport } from './candidates';

/** A property that does not hold: thrown, for fast-check to shrink (no vitest here: bench/fuzz.bench.ts runs it too). */
function must(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

export const T = 'T0FUZZ1';
export const ADMIN = 'U0FUZZ1ADMIN';
/** A member of the workspace with no org role and no job role. */
export const NOBODY = 'U0FUZZ1NOBODY';
/** Another installed workspace and its admin. */
export const T2 = 'T0FUZZ2';
export const ADMIN2 = 'U0FUZZ2ADMIN';
const CHANNEL = 'C0FUZZJOBS';
/** A workspace where the app is not installed (the lifecycle events go there). */
const GONE = 'T0FUZZGONE';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface FuzzTarget {
  h: Harness;
  /** The seeds: a payload builder per kind and id, as `who` would send it. */
  seeds: Seed[];
  close(): Promise<void>;
}

export interface Seed {
  name: string;
  kind: 'command' | 'action' | 'view' | 'options' | 'event';
  build(who: Who): Obj;
}

export interface Who {
  teamId: string;
  userId: string;
}

/**
 * The canonical dump of the org under test (T): its documents in every collection but `deliveries`
 * and `auditLog` (they record every request and every refusal by design), `slackUsers` (the user
 * directory: what Slack says of a person, read after any request from someone not known yet) and
 * Agenda's, sorted by _id.
 */
export async function dump(h: Harness): Promise<string> {
  const db = h.app.deps.store.db;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !['deliveries', 'auditLog', 'slackUsers'].includes(n) && !n.startsWith('system.') && !n.toLowerCase().includes('agenda'))
    .sort();
  const docs = await Promise.all(names.map((n) => db.collection(n).find({ teamId: T }).sort({ _id: 1 }).toArray()));
  return JSON.stringify(Object.fromEntries(names.map((n, i) => [n, docs[i]])));
}

/** Every request the Bolt App is processing (the HTTP receiver answers before the handler ends). */
function trackInFlight(h: Harness): () => Promise<void> {
  const app = h.app.app as unknown as { processEvent: (e: unknown) => Promise<void> };
  const inFlight = new Set<Promise<unknown>>();
  const original = app.processEvent.bind(app);
  app.processEvent = (e) => {
    const p = original(e);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  return async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
}

export async function startFuzzTarget(): Promise<FuzzTarget & { settle: () => Promise<void> }> {
  const h = await startHarness({ worker: false });
  // thousands of refusals DMed to the same few users: Slack's 1 message/s per channel would pace the run
  h.slack.setRateLimits(false);
  await h.install(T, { installer: ADMIN, users: [{ id: NOBODY, locale: 'en-US' }] });
  await h.install(T2, { installer: ADMIN2 });
  h.slack.addChannel({ teamId: T, id: CHANNEL, name: 'fuzz-jobs', members: [ADMIN, NOBODY, h.slack.botUser(T).userId] });
  const created = await createJobViaSlack(h, T, ADMIN, { name: 'Fuzz engineer', channelId: CHANNEL });
  must(created.responseAction !== 'errors', `the fixture job was refused: ${JSON.stringify(created.errors)}`);
  const job = await h.app.deps.store.jobs.findOne({ teamId: T, name: 'Fuzz engineer' });
  const jobId = String(job!._id);
  const accountId = await insertLinkedAccount(h.app.deps, T, 'wantedly', { api_key: 'fuzz-key' } as never, 'Fuzz account');
  const candidates = await seedImport(h, T, 'wantedly', { externalId: 'P-FUZZ-1', title: 'Fuzz posting' }, 2, { route: false });
  const posting = await h.app.deps.store.postings.findOne({ teamId: T, externalId: 'P-FUZZ-1' });
  const settle = trackInFlight(h);
  await settle();
  const ids = { jobId, accountId, candidateId: String(candidates[0]._id), postingId: String(posting!._id) };
  return { h, seeds: buildSeeds(ids), settle, close: () => h.close() };
}

let seq = 0;
const fresh = () => `${Date.now()}.${++seq}.${Math.floor(Math.random() * 1e9)}`;

const plainText = (text: string) => ({ type: 'plain_text', text });

/** Input blocks of a rendered modal → state.values as Slack sends them. */
function stateOf(view: { blocks?: unknown[] }, fill: Record<string, string | string[]>): Obj {
  const values: Obj = {};
  for (const b of (view.blocks ?? []) as { type: string; block_id?: string; element?: any }[]) {
    if (b.type !== 'input' || !b.block_id || !b.element) continue;
    const el = b.element;
    const given = fill[b.block_id];
    const first = el.options?.[0]?.value ?? el.option_groups?.[0]?.options?.[0]?.value ?? '';
    const one = typeof given === 'string' ? given : first;
    let st: Obj;
    switch (el.type) {
      case 'plain_text_input':
        st = { type: el.type, value: typeof given === 'string' ? given : 'fuzz' };
        break;
      case 'static_select':
      case 'external_select':
      case 'radio_buttons':
        st = { type: el.type, selected_option: { text: plainText('x'), value: one } };
        break;
      case 'users_select':
        st = { type: el.type, selected_user: typeof given === 'string' ? given : 'U0FUZZTARGET' };
        break;
      case 'multi_users_select':
        st = { type: el.type, selected_users: Array.isArray(given) ? given : [] };
        break;
      case 'conversations_select':
        st = { type: el.type, selected_conversation: typeof given === 'string' ? given : CHANNEL };
        break;
      case 'channels_select':
        st = { type: el.type, selected_channel: typeof given === 'string' ? given : CHANNEL };
        break;
      default:
        st = { type: el.type, selected_options: [] };
    }
    values[b.block_id] = { [el.action_id]: st };
  }
  return values;
}

function buildSeeds(ids: { jobId: string; accountId: string; candidateId: string; postingId: string }): Seed[] {
  const t = translator('en');
  const seeds: Seed[] = [];
  const user = (w: Who) => ({ id: w.userId, team_id: w.teamId, username: w.userId.toLowerCase(), name: w.userId.toLowerCase() });
  const team = (w: Who) => ({ id: w.teamId, domain: w.teamId.toLowerCase() });
  /** What every interaction payload starts with. */
  const interaction = (type: string, w: Who) => ({
    type,
    api_app_id: 'A0TEST',
    token: 'legacy',
    trigger_id: fresh(),
    user: user(w),
    team: team(w),
    enterprise: null,
    is_enterprise_install: false,
  });

  // slash commands: every subcommand, with the arguments they take and others
  const subcommands = ['help', 'link', 'link wantedly', 'link nosuch', 'accounts', 'job new', 'job delete', 'jobs', 'mapping'];
  for (const text of [...subcommands, 'candidate Candidate', `candidate ${ids.candidateId}`, 'roles', 'settings', 'frobnicate', ''])
    seeds.push({
      name: `/ats ${text}`,
      kind: 'command',
      build: (w) => ({
        token: 'legacy',
        team_id: w.teamId,
        team_domain: 'fuzz',
        channel_id: 'D0FUZZDM',
        channel_name: 'directmessage',
        user_id: w.userId,
        user_name: w.userId.toLowerCase(),
        command: '/ats',
        text,
        api_app_id: 'A0TEST',
        is_enterprise_install: 'false',
        response_url: `https://hooks.slack.test/commands/${fresh()}`,
        trigger_id: fresh(),
      }),
    });

  // clicks: every action_id the app renders (and the old ids), with the value it renders
  const buttons: [string, string | undefined][] = [
    [ACCOUNT_ACTIONS.pause, ids.accountId],
    [ACCOUNT_ACTIONS.resume, ids.accountId],
    [ACCOUNT_ACTIONS.reenter, ids.accountId],
    [ACCOUNT_ACTIONS.unlink, ids.accountId],
    ...MEDIA.map((m): [string, string] => [`${ACCOUNT_ACTIONS.link}:${m}`, m]),
    [`${ACCOUNT_ACTIONS.page}:next`, '1'],
    [`${ACCOUNT_ACTIONS.page}:prev`, '0'],
    [JOB_ACTIONS.create, undefined],
    [JOB_ACTIONS.edit, ids.jobId],
    [OPEN_MAPPING_ACTION, undefined],
    [HOME_OPEN_MAPPING, undefined],
    [MAPPING_ACTIONS.page, '1'],
    [MAPPING_ACTIONS.addRule, undefined],
    [MAPPING_ACTIONS.deleteRule, '0123456789abcdef01234567'],
    [CANDIDATE_ACTIONS.details, ids.candidateId],
    [CANDIDATE_ACTIONS.pick, ids.candidateId],
    [CANDIDATE_ACTIONS.profile, undefined],
    ...Object.keys(LEGACY_ACTION_IDS).map((old): [string, string | undefined] => [old, ids.accountId]),
    ['someone_elses_button', 'x'],
  ];
  const containers = ['home', 'modal', 'ephemeral', 'channel'] as const;
  const container = (where: (typeof containers)[number], w: Who): Obj => {
    if (where === 'home' || where === 'modal') {
      const view = {
        id: 'V0FUZZVIEW',
        type: where,
        team_id: w.teamId,
        callback_id: where === 'modal' ? MAPPING_CALLBACK : '',
        private_metadata: where === 'modal' ? '{"page":0}' : '',
        blocks: [],
        state: { values: {} },
      };
      return { container: { type: 'view', view_id: view.id }, view };
    }
    const channel = where === 'channel' ? CHANNEL : 'D0FUZZDM';
    return {
      container: { type: 'message', message_ts: '1700000000.000001', channel_id: channel, is_ephemeral: where === 'ephemeral' },
      channel: { id: channel, name: 'x' },
      response_url: `https://hooks.slack.test/actions/${fresh()}`,
    };
  };
  const click = (name: string, action: (w: Who) => Obj, where: (typeof containers)[number]): Seed => ({
    name: `${name} (${where})`,
    kind: 'action',
    build: (w) => ({
      ...interaction('block_actions', w),
      ...container(where, w),
      actions: [{ block_id: 'b', action_ts: '1700000000.1', ...action(w) }],
    }),
  });
  for (const [actionId, value] of buttons)
    for (const where of containers)
      seeds.push(
        click(actionId, () => ({ type: 'button', action_id: actionId, text: plainText('x'), ...(value ? { value } : {}) }), where),
      );
  const select = (value: string) => ({ type: 'static_select', selected_option: { text: plainText('x'), value } });
  seeds.push(
    click(
      MAPPING_ACTIONS.job,
      () => ({ action_id: MAPPING_ACTIONS.job, block_id: `posting_${ids.postingId}`, ...select(ids.jobId) }),
      'modal',
    ),
  );
  seeds.push(
    click(
      MAPPING_ACTIONS.job,
      () => ({ action_id: MAPPING_ACTIONS.job, block_id: `posting_${ids.postingId}`, ...select('none') }),
      'modal',
    ),
  );
  for (const stage of STAGES)
    seeds.push(
      click(CANDIDATE_ACTIONS.stage, () => ({ action_id: CANDIDATE_ACTIONS.stage, ...select(`${ids.candidateId}:${stage}`) }), 'modal'),
    );

  // modal submissions: every modal the app renders, its inputs filled as Slack fills them
  const jobs = [{ id: ids.jobId, name: 'Fuzz engineer' }];
  const modals: {
    name: string;
    view: { callback_id?: string; private_metadata?: string; blocks?: unknown[] };
    fill?: Record<string, string | string[]>;
  }[] = [
    { name: 'new job', view: jobModal(t), fill: { name: 'Fuzz designer' } },
    { name: 'edit job', view: jobModal(t, { id: ids.jobId, name: 'Fuzz engineer', channelId: CHANNEL, admins: [], members: [] }) },
    ...MEDIA.map((m) => ({ name: `link ${m}`, view: linkModal(t, m), fill: { email: 'fuzz@example.test', api_key: 'k' } })),
    { name: 'reenter', view: linkModal(t, 'wantedly', { accountId: ids.accountId, label: 'Fuzz account' }) },
    { name: 'rule', view: ruleModal(t, jobs, 'V0FUZZPARENT'), fill: { pattern: 'Fuzz', job: ids.jobId } },
    { name: 'roles', view: rolesModal(t, { admins: [], jobs }), fill: { user: 'U0FUZZTARGET', org_role: 'keep' } },
    { name: 'settings', view: settingsModal(t, { zone: 'Asia/Tokyo', privateCards: false }), fill: { zone: 'Asia/Tokyo' } },
    { name: 'mapping (no submit)', view: { callback_id: MAPPING_CALLBACK, blocks: [] } },
    { name: 'details (no submit)', view: { callback_id: DETAILS_CALLBACK, blocks: [] } },
  ];
  for (const m of modals)
    seeds.push({
      name: `submit ${m.name}`,
      kind: 'view',
      build: (w) => ({
        ...interaction('view_submission', w),
        view: {
          id: `V0FUZZ${++seq}`,
          type: 'modal',
          team_id: w.teamId,
          callback_id: m.view.callback_id ?? '',
          private_metadata: m.view.private_metadata ?? '',
          hash: 'h',
          title: plainText('x'),
          blocks: [],
          state: { values: stateOf(m.view, m.fill ?? {}) },
        },
        response_urls: [],
      }),
    });

  // options (the external job selects)
  for (const actionId of [MAPPING_ACTIONS.job, MAPPING_ACTIONS.ruleJob, 'map:nosuch', 'other:select'])
    seeds.push({
      name: `options ${actionId}`,
      kind: 'options',
      build: (w) => ({
        type: 'block_suggestion',
        api_app_id: 'A0TEST',
        token: 'legacy',
        action_id: actionId,
        block_id: `posting_${ids.postingId}`,
        value: 'Fuzz',
        user: user(w),
        team: team(w),
        enterprise: null,
        is_enterprise_install: false,
        container: { type: 'view', view_id: 'V0FUZZMAP' },
        view: { id: 'V0FUZZMAP', type: 'modal', callback_id: MAPPING_CALLBACK, team_id: w.teamId },
      }),
    });

  // events: the four the app takes, and others
  const event = (name: string, body: (w: Who) => Obj, team?: string): Seed => ({
    name: `event ${name}`,
    kind: 'event',
    build: (w) => {
      const teamId = team ?? w.teamId;
      return {
        token: 'legacy',
        team_id: teamId,
        api_app_id: 'A0TEST',
        type: 'event_callback',
        event_id: `Ev${fresh()}`,
        event_time: 1700000000,
        authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
        event: { event_ts: '1700000000.000001', ...body(w) },
      };
    },
  });
  seeds.push(event('app_home_opened', (w) => ({ type: 'app_home_opened', user: w.userId, channel: 'D0FUZZDM', tab: 'home' })));
  seeds.push(event('app_home_opened messages', (w) => ({ type: 'app_home_opened', user: w.userId, channel: 'D0FUZZDM', tab: 'messages' })));
  seeds.push(
    event('member_joined_channel', (w) => ({ type: 'member_joined_channel', user: w.userId, channel: CHANNEL, channel_type: 'C' })),
  );
  seeds.push(event('app_uninstalled', () => ({ type: 'app_uninstalled' }), GONE));
  seeds.push(event('tokens_revoked', () => ({ type: 'tokens_revoked', tokens: { oauth: ['U0FUZZ1ADMIN'], bot: ['U0BOT'] } }), GONE));
  seeds.push(
    event('reaction_added', (w) => ({
      type: 'reaction_added',
      user: w.userId,
      reaction: 'eyes',
      item: { type: 'message', channel: CHANNEL, ts: '1.2' },
    })),
  );
  seeds.push(event('no_such_event', () => ({ type: 'no_such_event', channel: { id: CHANNEL } })));
  return seeds;
}

// ---- mutations ------------------------------------------------------------------------------

/** Strings that went wrong somewhere once: empty, control and bidi characters, prototype keys, IME input. */
const nastyStrings = [
  '',
  ' ',
  '\u0000',
  '\u001b[31m',
  '\u202e',
  '\u200b\u200b',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'ｊｏｂｓ',
  'ＨＥＬＰ',
  '😀👩‍👩‍👧',
  '\ud800',
  '<@U0NOSUCH>',
  '<!channel>',
  '&amp;&lt;',
  '{"$gt":""}',
  '../../etc/passwd',
  '%00',
  'null',
  'undefined',
  'NaN',
  '0123456789abcdef01234567',
  'ffffffffffffffffffffffff',
];

/** Ids of other workspaces, users and channels, and malformed ones. */
const otherIds = [T2, ADMIN2, 'T0NOSUCH', 'U0NOSUCH', 'C0NOSUCH', 'D0NOSUCH', 'W0ENTERPRISE', 'E0ENTERPRISE', 'U', 'x'.repeat(300)];

const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.constantFrom(...nastyStrings),
  fc.constantFrom(...otherIds),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.nat({ max: 60_000 }).map((n) => 'あ'.repeat(n)),
  fc.nat({ max: 400 }).map((depth) => {
    let v: Json = 'deep';
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
  fc.constantFrom<Json>({ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, ['a', 'b'], [1, 2, 3]),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

export type Mutation =
  | { op: 'set'; at: number; value: Json }
  | { op: 'delete'; at: number }
  | { op: 'wrap'; at: number }
  | { op: 'addKey'; at: number; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: junk }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      at: fc.nat(),
      key: fc.constantFrom('__proto__', 'constructor', 'event', 'command', 'actions', 'name', 'type', 'view', 'x'),
      value: junk,
    }),
  },
);

/** Every path in a JSON value ([] is the root), depth first. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v))
    v.forEach((x, i) => {
      paths(x, [...at, i], out);
    });
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

function parentOf(root: Json, path: (string | number)[]): { parent: any; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let p: any = root;
  for (const k of path.slice(0, -1)) p = p[k];
  return { parent: p, key: path[path.length - 1] };
}

/** The payload with the mutations applied (a copy). */
export function mutate(payload: Obj, mutations: Mutation[]): Json {
  let root: Json = structuredClone(payload);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.at % all.length];
    const target = parentOf(root, path);
    if (m.op === 'addKey') {
      let node: any = root;
      for (const k of path) node = node[k];
      if (node && typeof node === 'object' && !Array.isArray(node))
        Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    if (!target) {
      // the root itself: keep it an object (a non-object body is test/e2e/request-guard.test.ts's)
      if (m.op === 'wrap') root = { payload: root };
      continue;
    }
    const { parent, key } = target;
    if (m.op === 'set') parent[key] = m.value;
    else if (m.op === 'wrap') parent[key] = [parent[key]];
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }
  return root;
}

export interface FuzzCase {
  seed: number;
  who: 'admin' | 'nobody' | 'other-team' | 'unknown-user';
  mutations: Mutation[];
}

export function caseArb(seedCount: number): fc.Arbitrary<FuzzCase> {
  return fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    who: fc.constantFrom('admin', 'nobody', 'nobody', 'nobody', 'other-team', 'unknown-user'),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
  });
}

const identities: Record<FuzzCase['who'], Who> = {
  admin: { teamId: T, userId: ADMIN },
  nobody: { teamId: T, userId: NOBODY },
  'other-team': { teamId: T2, userId: ADMIN2 },
  'unknown-user': { teamId: T, userId: 'U0NOSUCHUSER' },
};

export interface CaseResult {
  status: number;
  body: string;
  refused: boolean;
  changed: boolean;
}

/** Sends one case, signed; checks the per-case properties. */
export async function runCase(target: FuzzTarget & { settle: () => Promise<void> }, c: FuzzCase): Promise<CaseResult> {
  const { h } = target;
  const seed = target.seeds[c.seed];
  const who = identities[c.who];
  const payload = mutate(seed.build(who), c.mutations);
  // events come from Slack, not from a user with or without rights: compared when refused, as the admin's
  const mayChange = c.who === 'admin' || seed.kind === 'event';
  const before = await dump(h);
  const from = h.logs.length;
  let res: Response;
  if (seed.kind === 'event')
    res = await postSigned(h, JSON.stringify(payload), 'application/json', { signal: AbortSignal.timeout(10_000) });
  else if (seed.kind === 'command')
    res = await postSigned(h, formOf(payload), 'application/x-www-form-urlencoded', { signal: AbortSignal.timeout(10_000) });
  else
    res = await postSigned(h, `payload=${encodeURIComponent(JSON.stringify(payload))}`, undefined, { signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), 20_000);
  });
  const settled = await Promise.race([target.settle().then(() => 'done' as const), stuck]);
  clearTimeout(timer);
  must(settled === 'done', `case ${seed.name} as ${c.who}: the handler did not end within 20 s`);
  const after = await dump(h);
  const changed = after !== before;
  const refused = res.status >= 400 || /"response_action":"errors"/.test(body);
  const where = `case ${seed.name} as ${c.who}: ${JSON.stringify(payload).slice(0, 600)}`;
  must(res.status < 500, `${where}\nanswered ${res.status}`);
  must(res.status !== 404, `${where}\nanswered 404 (nothing acked it within 3 s)`);
  must(!/\n\s+at |Error:|"stack"/.test(body), `${where}\na stack in the response: ${body.slice(0, 300)}`);
  const unhandled = h.logs
    .slice(from)
    .map((l) => JSON.parse(l) as { msg?: string; level?: number; component?: string })
    .filter((l) => l.msg === 'unhandled Bolt error' || l.component === 'last-resort' || /An unhandled error/.test(l.msg ?? ''));
  must(unhandled.length === 0, `${where}\nunhandled errors: ${JSON.stringify(unhandled).slice(0, 1000)}`);
  if (!mayChange || refused) must(!changed, `${where}\nchanged the database (refused: ${refused}, ${c.who}, status ${res.status})`);
  return { status: res.status, body, refused, changed };
}

/** A slash command body as Slack sends it: form fields; a mutated non-string field is sent as its JSON text, an array as repeated fields. */
function formOf(payload: Json): string {
  const form = new URLSearchParams();
  if (payload && typeof payload === 'object' && !Array.isArray(payload))
    for (const [k, v] of Object.entries(payload)) {
      if (Array.isArray(v)) for (const x of v) form.append(k, typeof x === 'string' ? x : JSON.stringify(x));
      else if (v !== null && v !== undefined) form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
  return form.toString();
}

/** `/ats help` still answers (the process is alive and serving). */
export async function helpStillWorks(h: Harness): Promise<void> {
  const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'help' });
  must(res.status === 200 && JSON.stringify(res.json).includes('/ats'), `/ats help answered ${res.status}: ${res.body.slice(0, 200)}`);
}

/** The seed of a run: FUZZ_SEED replays one; otherwise a new one, printed when the run fails. */
export function fuzzSeed(): number {
  const env = process.env.FUZZ_SEED;
  return env !== undefined && env !== '' ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}

/**
 * Runs `numRuns` cases with fast-check (seeded, shrinking on failure). The app is asked `/ats help`
 * every 50 cases and at the end. Returns counts for the report and the bench.
 */
export async function fuzz(target: FuzzTarget & { settle: () => Promise<void> }, numRuns: number, seed = fuzzSeed()) {
  const stats = { cases: 0, refused: 0, accepted: 0, statuses: {} as Record<number, number> };
  // printed first, so that a run cut short by a timeout can be replayed too
  console.info(`fuzzing ${numRuns} cases with FUZZ_SEED=${seed}`);
  try {
    await fc.assert(
      fc.asyncProperty(caseArb(target.seeds.length), async (c) => {
        const r = await runCase(target, c);
        stats.cases++;
        stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
        if (r.refused) stats.refused++;
        else stats.accepted++;
        if (stats.cases % 50 === 0) await helpStillWorks(target.h);
      }),
      // shrinking replays a failing case many times against a live app: on request (FUZZ_SHRINK=1), when replaying a seed
      { seed, numRuns, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    );
  } catch (err) {
    (err as Error).message = `fuzzing failed; replay with FUZZ_SEED=${seed}\n${(err as Error).message}`;
    throw err;
  }
  await helpStillWorks(target.h);
  return stats;
}
