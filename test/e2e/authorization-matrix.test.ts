/**
 * The authorization matrix (docs/security.md): every action a user can take — each `/ats`
 * subcommand, button and select, modal submission, options request and event, enumerated from the
 * app's own listener tables (commands/index.ts) so that a new id without a row fails — sent as a
 * real signed Slack request to the running app by every kind of identity: the org admin, a job's
 * admin and member, a member without a role, a limited-access member, a Slack guest, a deactivated
 * account, a user of another workspace, a workspace without an org, and crafted payloads naming
 * another org's objects or another job's.
 *
 * Each cell is decided from what happened, never from the permission function itself:
 * - allowed: the action's own effect is seen (the database change, the modal opened, the list shown);
 * - refused / not found: the database is unchanged (a canonical dump of every collection but the
 *   audit log, the delivery dedupe, the job queue and the user directory's cache) and the user was
 *   told so in their language;
 * - ignored: nothing changed and nothing was answered; not served: the workspace has no
 *   installation and the request stops before any listener.
 * The table is rendered as Markdown and compared with the section of docs/security.md between the
 * markers; `UPDATE_SECURITY_DOC=1 npx vitest run test/e2e/authorization-matrix.test.ts` rewrites it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { App } from '@slack/bolt';
import { BSON, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, LEGACY_ACTION_IDS, OPTIONS, SUBCOMMANDS, VIEWS, registerAll } from '../../commands';
import { translator, type Locale } from '../../src/i18n';
import { getOrg } from '../../src/domain/orgs';
import { MEDIA, type Medium } from '../../src/vocabulary';
import type { CandidateDoc } from '../../src/storage/types';
import type { CallRecord } from '../../emulators/slack/index';
import { insertLinkedAccount } from '../helpers/accounts';
import { postSigned, startHarness, type Harness } from '../helpers/app';
import { normalizeName, searchKey } from '../../src/text';
import { mediaUrlEnv } from '../../src/domain/connector-context';

const DOC = fileURLToPath(new URL('../../docs/security.md', import.meta.url));
const START = '<!-- authorization-matrix:start (written by test/e2e/authorization-matrix.test.ts) -->';
const END = '<!-- authorization-matrix:end -->';

const A = 'T0MXA';
const B = 'T0MXB';
const C = 'T0MXC'; // a workspace the app was never installed in
const U = {
  admin: 'U0MXADMIN',
  jobAdmin: 'U0MXJADMIN',
  jobMember: 'U0MXJMEMBER',
  standard: 'U0MXSTD',
  limited: 'U0MXLIMITED',
  guest: 'U0MXGUEST',
  gone: 'U0MXGONE',
  j2Admin: 'U0MXJ2ADMIN',
  adminB: 'U0MXBADMIN',
  userB: 'U0MXBUSER',
  userC: 'U0MXCUSER',
} as const;

type Target = 'own' | 'otherOrg' | 'otherJob';
interface Column {
  key: string;
  label: string;
  /** The team the payload claims, and the user it names. */
  team: string;
  user: string;
  locale: Locale;
  target: Target;
  legend: string;
}

const COLUMNS: Column[] = [
  { key: 'orgAdmin', label: 'Org admin', team: A, user: U.admin, locale: 'ja', target: 'own', legend: 'an org admin (the installer)' },
  {
    key: 'jobAdmin',
    label: 'Job admin',
    team: A,
    user: U.jobAdmin,
    locale: 'en',
    target: 'own',
    legend: "an admin of job J1, on J1's objects",
  },
  {
    key: 'jobMember',
    label: 'Job member',
    team: A,
    user: U.jobMember,
    locale: 'ja',
    target: 'own',
    legend: "a member of job J1, on J1's objects",
  },
  {
    key: 'standard',
    label: 'No role',
    team: A,
    user: U.standard,
    locale: 'en',
    target: 'own',
    legend: 'a workspace member nobody gave a role (standard)',
  },
  {
    key: 'limited',
    label: 'Limited',
    team: A,
    user: U.limited,
    locale: 'ja',
    target: 'own',
    legend: 'a member an org admin gave limited access (assigned to no candidate)',
  },
  {
    key: 'guest',
    label: 'Guest',
    team: A,
    user: U.guest,
    locale: 'en',
    target: 'own',
    legend: 'a Slack guest (`is_restricted`), no role given: limited access by default',
  },
  {
    key: 'deactivated',
    label: 'Deactivated',
    team: A,
    user: U.gone,
    locale: 'ja',
    target: 'own',
    legend: 'a deactivated Slack account (`deleted: true`) still listed as an admin of J1',
  },
  {
    key: 'otherTeam',
    label: 'Other workspace',
    team: A,
    user: U.adminB,
    locale: 'ja',
    target: 'own',
    legend: "the org admin of workspace B, in a payload that claims workspace A (Slack's users.info in A does not know them)",
  },
  {
    key: 'noOrg',
    label: 'No org',
    team: C,
    user: U.userC,
    locale: 'ja',
    target: 'own',
    legend: "a user of a workspace where the app is not installed (no org), naming A's object ids",
  },
  {
    key: 'otherOrg',
    label: "B's objects",
    team: A,
    user: U.admin,
    locale: 'ja',
    target: 'otherOrg',
    legend: "A's org admin, in a crafted payload naming org B's job, account, posting, rule, candidate or user",
  },
  {
    key: 'otherJobAdmin',
    label: 'J1 admin on J2',
    team: A,
    user: U.jobAdmin,
    locale: 'en',
    target: 'otherJob',
    legend: "J1's admin, in a crafted payload naming job J2 or its rule or candidate",
  },
  {
    key: 'otherJobMember',
    label: 'J1 member on J2',
    team: A,
    user: U.jobMember,
    locale: 'ja',
    target: 'otherJob',
    legend: "J1's member, in a crafted payload naming job J2 or its rule or candidate",
  },
];

type Cell = 'allowed' | 'refused' | 'not found' | 'ignored' | 'not served' | 'n/a';
const SYMBOL: Record<Cell, string> = { allowed: '✔', refused: '✘', 'not found': '∅', ignored: '·', 'not served': '⊘', 'n/a': '' };
const CELL_LEGEND: [Cell, string][] = [
  ['allowed', 'allowed: the effect was seen (the change made, the modal opened, the list shown)'],
  ['refused', 'refused: nothing changed and the user was told, in their language, that they may not (audit-logged)'],
  ['not found', 'not found: nothing changed and the user was told the object (or person) is not in their workspace or not visible to them'],
  ['ignored', 'ignored: nothing changed and nothing was answered'],
  ['not served', 'not served: no installation for the workspace, the request stops before any listener (nothing changed, no answer)'],
  ['n/a', 'empty: the identity has no such case (no object to cross)'],
];

// ---- fixtures ----------------------------------------------------------------------------------

interface Objects {
  job: ObjectId;
  jobName: string;
  acc: string;
  accLabel: string;
  accPaused: string;
  posting: ObjectId;
  rule: ObjectId;
  cand: ObjectId;
  candName: string;
  roleUser: string;
}
let own: Objects;
let otherJob: Objects;
let otherOrg: Objects;
const objectsFor = (t: Target) => (t === 'own' ? own : t === 'otherJob' ? otherJob : otherOrg);

let h: Harness;
let hooks: Server;
let hooksUrl = '';
const hookPosts = new Map<string, unknown[]>();
let seq = 0;

/**
 * Not the state a request is judged by: the audit log and the delivery dedupe record every request
 * and every refusal by design, Agenda's queue is the job runner's, and `slackUsers` is the user
 * directory's cache of what Slack says of a person (a background lookup writes it after any request
 * from, or naming, someone it has not read yet — whoever sent it, allowed or not).
 */
const IGNORED_COLLECTIONS = new Set(['auditLog', 'deliveries', 'agendaJobs', 'slackUsers']);
let baseline: Record<string, unknown[]> = {};
let baselineText = '';

async function dump(): Promise<Record<string, unknown[]>> {
  const db = h.app.deps.store.db;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !IGNORED_COLLECTIONS.has(n));
  const out: Record<string, unknown[]> = {};
  for (const name of names.sort()) out[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  return out;
}
const canonical = (d: Record<string, unknown[]>) => BSON.EJSON.stringify(d, { relaxed: false });

/** Puts the database back as the fixtures left it (after an allowed change), and the job queue too. */
async function restore() {
  const db = h.app.deps.store.db;
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = await dump();
    if (canonical(now) === baselineText) return;
    for (const name of new Set([...Object.keys(now), ...Object.keys(baseline)])) {
      if (canonical({ x: now[name] ?? [] }) === canonical({ x: baseline[name] ?? [] })) continue;
      await db.collection(name).deleteMany({});
      if (baseline[name]?.length)
        await db.collection(name).insertMany(BSON.EJSON.parse(canonical({ x: baseline[name] }), { relaxed: false }).x as never[]);
    }
    // jobs an allowed action queued (a credentials check, an import) must not run into later probes
    await db.collection('agendaJobs').deleteMany({ 'data.accountId': { $exists: true } });
  }
  const now = await dump();
  const differ = Object.keys({ ...now, ...baseline }).filter((n) => canonical({ x: now[n] ?? [] }) !== canonical({ x: baseline[n] ?? [] }));
  throw new Error(
    `the database did not settle back to the fixtures: ${differ.map((n) => `${n}: ${canonical({ x: now[n] ?? [] }).slice(0, 800)}`).join('\n')}`,
  );
}

// ---- signed requests, as Slack sends them --------------------------------------------------------

interface Sent {
  status: number;
  body: string;
  json?: any;
  responseUrl: string;
  triggerId: string;
}

async function post(body: string, contentType: string, responseUrl: string, triggerId: string): Promise<Sent> {
  const res = await postSigned(h, body, contentType);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json, responseUrl, triggerId };
}

function fresh(col: Column) {
  const n = ++seq;
  const responseUrl = `${hooksUrl}/r/${n}`;
  // a trigger Slack issued for this user (views.open accepts only those); unique, so no dedupe
  const triggerId = h.slack.state.issueTrigger(col.team, col.user);
  return { n, responseUrl, triggerId };
}

const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;
const who = (col: Column) => ({
  user: { id: col.user, team_id: col.team, username: col.user.toLowerCase(), name: col.user.toLowerCase() },
  team: { id: col.team, domain: col.team.toLowerCase() },
});

function slash(col: Column, text: string): Promise<Sent> {
  const { responseUrl, triggerId } = fresh(col);
  const fields = {
    token: 'legacy',
    team_id: col.team,
    team_domain: col.team.toLowerCase(),
    channel_id: 'D0MXDM',
    channel_name: 'directmessage',
    user_id: col.user,
    user_name: col.user.toLowerCase(),
    command: '/ats',
    text,
    api_app_id: h.slack.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
  return post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', responseUrl, triggerId);
}

/** A modal or Home tab opened for the user in the emulator (so views.update on it works), its id. */
function storedView(col: Column, type: 'modal' | 'home', callbackId: string, privateMetadata = ''): string {
  const view = {
    type,
    callback_id: callbackId,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'x' },
    blocks: [{ type: 'section', text: { type: 'plain_text', text: 'x' } }],
  };
  const v = h.slack.api.createView(col.team, col.user, view, null, null);
  if (type === 'modal') {
    // the only modal open: one a handler can update or push onto
    const stack = h.slack.state.modalStack(col.team, col.user);
    stack.length = 0;
    stack.push(v.id);
  }
  return v.id;
}

type Container = 'ephemeral' | 'dm' | 'home' | { modal: string; metadata?: string };

function click(col: Column, action: Record<string, unknown>, where: Container): Promise<Sent> {
  const { responseUrl, triggerId } = fresh(col);
  let surface: Record<string, unknown>;
  if (where === 'ephemeral' || where === 'dm') {
    const channel = 'D0MXDM';
    surface = {
      container: { type: 'message', message_ts: '1700000000.000001', channel_id: channel, is_ephemeral: where === 'ephemeral' },
      channel: { id: channel, name: 'directmessage' },
      response_url: responseUrl,
      ...(where === 'dm' ? { message: { type: 'message', ts: '1700000000.000001', text: '', blocks: [] } } : {}),
    };
  } else {
    const type = where === 'home' ? 'home' : 'modal';
    const cb = where === 'home' ? '' : where.modal;
    const id = storedView(col, type, cb, where === 'home' ? '' : (where.metadata ?? ''));
    surface = {
      container: { type: 'view', view_id: id },
      view: {
        id,
        type,
        team_id: col.team,
        callback_id: cb,
        private_metadata: where === 'home' ? '' : (where.metadata ?? ''),
        blocks: [],
        state: { values: {} },
        hash: 'h',
      },
    };
  }
  const payload = {
    type: 'block_actions',
    api_app_id: h.slack.appId,
    token: 'legacy',
    trigger_id: triggerId,
    ...who(col),
    enterprise: null,
    is_enterprise_install: false,
    ...surface,
    actions: [{ block_id: 'b', action_ts: '1700000000.1', ...action }],
  };
  return post(form(payload), 'application/x-www-form-urlencoded', responseUrl, triggerId);
}

const button = (actionId: string, value?: string) => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text: 'x' },
  ...(value !== undefined ? { value } : {}),
});
const select = (actionId: string, value: string, blockId = 'b') => ({
  type: 'static_select',
  action_id: actionId,
  block_id: blockId,
  selected_option: { text: { type: 'plain_text', text: 'x' }, value },
});

type Input = { text: string } | { option: string } | { user: string } | { users: string[] } | { conversation: string };
function stateValue(i: Input) {
  if ('text' in i) return { type: 'plain_text_input', value: i.text };
  if ('option' in i) return { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: i.option } };
  if ('user' in i) return { type: 'users_select', selected_user: i.user };
  if ('users' in i) return { type: 'multi_users_select', selected_users: i.users };
  return { type: 'conversations_select', selected_conversation: i.conversation };
}

function submit(col: Column, callbackId: string, values: Record<string, Input>, privateMetadata = ''): Promise<Sent> {
  const { responseUrl, triggerId } = fresh(col);
  const id = storedView(col, 'modal', callbackId, privateMetadata);
  const payload = {
    type: 'view_submission',
    api_app_id: h.slack.appId,
    token: 'legacy',
    trigger_id: triggerId,
    ...who(col),
    enterprise: null,
    is_enterprise_install: false,
    view: {
      id,
      type: 'modal',
      team_id: col.team,
      callback_id: callbackId,
      private_metadata: privateMetadata,
      blocks: [],
      hash: 'h',
      title: { type: 'plain_text', text: 'x' },
      state: { values: Object.fromEntries(Object.entries(values).map(([block, v]) => [block, { v: stateValue(v) }])) },
    },
    response_urls: [],
  };
  return post(form(payload), 'application/x-www-form-urlencoded', responseUrl, triggerId);
}

function suggest(col: Column, actionId: string, value: string): Promise<Sent> {
  const { responseUrl, triggerId } = fresh(col);
  const id = storedView(col, 'modal', 'map:modal');
  const payload = {
    type: 'block_suggestion',
    api_app_id: h.slack.appId,
    token: 'legacy',
    action_id: actionId,
    block_id: 'b',
    value,
    ...who(col),
    enterprise: null,
    is_enterprise_install: false,
    container: { type: 'view', view_id: id },
    view: { id, type: 'modal', callback_id: 'map:modal', team_id: col.team },
  };
  return post(form(payload), 'application/x-www-form-urlencoded', responseUrl, triggerId);
}

function event(col: Column, e: Record<string, unknown>): Promise<Sent> {
  const { n, responseUrl, triggerId } = fresh(col);
  const envelope = {
    token: 'legacy',
    team_id: col.team,
    api_app_id: h.slack.appId,
    type: 'event_callback',
    event_id: `Ev0MX${n}${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: col.team, user_id: 'U0MXBOT', is_bot: true, is_enterprise_install: false }],
    event: { event_ts: `${Date.now() / 1000}`, ...e },
  };
  return post(JSON.stringify(envelope), 'application/json', responseUrl, triggerId);
}

// ---- what happened -------------------------------------------------------------------------------

interface Obs {
  col: Column;
  o: Objects;
  sent: Sent;
  calls: () => CallRecord[];
  /** Everything the app said to the user for this request: the ack, response_url posts, messages, views. */
  said: () => string;
}

const SAYING = ['chat.postMessage', 'chat.postEphemeral', 'views.open', 'views.push', 'views.update', 'views.publish'];

function observe(col: Column, o: Objects, sent: Sent, callsBefore: number): Obs {
  const calls = () => h.slack.calls().slice(callsBefore);
  return {
    col,
    o,
    sent,
    calls,
    said: () =>
      JSON.stringify([
        sent.body,
        hookPosts.get(new URL(sent.responseUrl).pathname) ?? [],
        calls()
          .filter((c) => SAYING.includes(c.method))
          .map((c) => c.args),
      ]),
  };
}

/** A view the app opened/pushed/updated/published for this request, by callback_id. */
function shown(o: Obs, method: string, callbackId: string): boolean {
  return o.calls().some((c) => {
    if (c.method !== method || !(c.response as { ok?: boolean }).ok) return false;
    const view = (c.response as { view?: { callback_id?: string; type?: string } }).view;
    return callbackId === '*' ? true : view?.callback_id === callbackId;
  });
}

function pieces(t: ReturnType<typeof translator>, key: string, vars: string[] = []): string {
  const marker = '\u0001';
  const text = t(key, Object.fromEntries(vars.map((v) => [v, marker])));
  return text.split(marker).sort((x, y) => y.length - x.length)[0];
}
function refusalTexts(locale: Locale) {
  const t = translator(locale);
  return {
    refused: [pieces(t, 'common.refused', ['action'])],
    notFound: [
      t('accounts.notFound'),
      t('jobs.notFound'),
      t('mapping.postingNotFound'),
      t('mapping.ruleNotFound'),
      pieces(t, 'candidate.notFound', ['query']),
      t('roles.cannotTargetBot'),
    ].map((s) => JSON.stringify(s).slice(1, -1)),
  };
}

// ---- the rows: every action a user can take --------------------------------------------------------

interface Row {
  /** The registered id (`/ats link`, `acct:pause`, `role:save`, `event app_home_opened`). */
  id: string;
  kind: 'command' | 'action' | 'view' | 'options' | 'event';
  /** What it does, for the document. */
  what: string;
  /** The objects it names: a row naming none has no crafted-object columns. */
  objects: ('account' | 'job' | 'posting' | 'rule' | 'candidate' | 'user')[];
  /** It changes something (the invariants below hold for these). */
  writes?: boolean;
  /** Only Slack itself sends it (no user can): every column n/a. */
  slackOnly?: boolean;
  /** May legitimately do nothing and say nothing. */
  mayBeSilent?: boolean;
  send(col: Column, o: Objects): Promise<Sent>;
  effect(o: Obs): Promise<boolean> | boolean;
  /** The options rows: their answer is the list (refused = the job is not offered). */
  options?: true;
}

const db = () => h.app.deps.store;

/** An entry of A's audit log, newest of all (dated ahead): every allowed audit answer lists it. */
const AUDIT_MARKER = 'mx-audit-seed';
const AUDIT_SEED = {
  teamId: A,
  actorId: 'U0MXSEED',
  action: 'matrix.seeded',
  allowed: true,
  target: { marker: AUDIT_MARKER },
  at: new Date('2099-01-01T00:00:00Z'),
};
const hex = (id: ObjectId) => id.toHexString();

/** A `/ats` subcommand's row: `/ats <text>`, the row named by the subcommand (its first word). */
function command(text: string, what: string, effect: Row['effect']): Row {
  return { id: `/ats ${text.split(' ')[0]}`, kind: 'command', what, objects: [], send: (c) => slash(c, text), effect };
}

/** An external select's options request: the job named by the column's target is offered, or not. */
function jobSearch(actionId: string, what: string): Row {
  return {
    id: actionId,
    kind: 'options',
    what,
    objects: ['job'],
    options: true,
    send: (c, o) => suggest(c, actionId, o.jobName),
    effect: (o) => (o.sent.json?.options ?? []).some((x: { value: string }) => x.value === hex(o.o.job)),
  };
}

/** A button that opens a candidate's details modal. */
function details(actionId: string, what: string): Row {
  return {
    id: actionId,
    kind: 'action',
    what,
    objects: ['candidate'],
    send: (c, o) => click(c, button(actionId, hex(o.cand)), 'ephemeral'),
    effect: (o) => shown(o, 'views.open', 'cand:modal'),
  };
}

/** A button that changes a media account (`which`: the account it names), and the change it makes. */
function accountButton(actionId: string, what: string, which: 'acc' | 'accPaused', changed: (accountId: string) => Promise<boolean>): Row {
  return {
    id: actionId,
    kind: 'action',
    what,
    objects: ['account'],
    writes: true,
    send: (c, o) => click(c, button(actionId, o[which]), 'ephemeral'),
    effect: (o) => changed(o.o[which]),
  };
}

const ROWS: Row[] = [
  // `/ats` subcommands
  {
    id: '/ats help',
    kind: 'command',
    what: 'the help',
    objects: [],
    send: (c) => slash(c, 'help'),
    effect: (o) => o.sent.status === 200 && /\/ats/.test(o.sent.body) && Array.isArray(o.sent.json?.blocks),
  },
  command('link wantedly', 'the link modal for a medium', (o) => shown(o, 'views.open', 'acct:save')),
  command('accounts', 'the media accounts list', (o) => o.said().includes(own.accLabel)),
  command('job new', '`/ats job new`: the new-job modal', (o) => shown(o, 'views.open', 'job:save')),
  command('jobs', 'the jobs list', (o) => o.said().includes(own.jobName)),
  command('mapping', 'the posting → job mapping modal', (o) => shown(o, 'views.open', 'map:modal')),
  {
    ...command('candidate', "search by name: the candidate's details", (o) => shown(o, 'views.open', 'cand:modal')),
    objects: ['candidate'],
    send: (c, o) => slash(c, `candidate ${o.candName}`),
  },
  command('roles', 'the roles modal', (o) => shown(o, 'views.open', 'role:save')),
  command('settings', 'the settings modal', (o) => shown(o, 'views.open', 'set:save')),
  command('audit', 'the audit log, newest first', (o) => o.said().includes(AUDIT_MARKER)),
  // media accounts
  {
    id: 'acct:page',
    kind: 'action',
    what: 'another page of the accounts list',
    objects: [],
    send: (c) => click(c, button('acct:page:next', '0'), 'ephemeral'),
    effect: (o) => o.said().includes(own.accLabel),
  },
  {
    id: 'acct:link',
    kind: 'action',
    what: 'the link modal for a medium',
    objects: [],
    send: (c) => click(c, button('acct:link:wantedly', 'wantedly'), 'ephemeral'),
    effect: (o) => shown(o, 'views.open', 'acct:save'),
  },
  {
    id: 'acct:reenter',
    kind: 'action',
    what: "the modal for an account's new credentials",
    objects: ['account'],
    send: (c, o) => click(c, button('acct:reenter', o.acc), 'ephemeral'),
    effect: (o) => shown(o, 'views.open', 'acct:save'),
  },
  accountButton('acct:pause', "pause an account's imports", 'acc', async (id) =>
    Boolean(await db().mediaAccounts.findOne({ _id: new ObjectId(id), paused: true })),
  ),
  accountButton('acct:resume', 'resume a paused account', 'accPaused', async (id) =>
    Boolean(await db().mediaAccounts.findOne({ _id: new ObjectId(id), paused: false })),
  ),
  accountButton(
    'acct:unlink',
    'unlink an account (its credentials deleted)',
    'acc',
    async (id) => !(await db().mediaAccounts.findOne({ _id: new ObjectId(id) })),
  ),
  {
    id: 'acct:save',
    kind: 'view',
    what: 'link modal submitted: a new account',
    objects: [],
    writes: true,
    send: (c) =>
      submit(
        c,
        'acct:save',
        { label: { text: 'Matrix new' }, api_key: { text: `wk_matrix_${'x'.repeat(20)}` } },
        JSON.stringify({ medium: 'wantedly' }),
      ),
    effect: async () => Boolean(await db().mediaAccounts.findOne({ label: 'Matrix new' })),
  },
  {
    id: 'acct:save',
    kind: 'view',
    what: "link modal submitted: an account's new credentials",
    objects: ['account'],
    writes: true,
    send: (c, o) =>
      submit(
        c,
        'acct:save',
        { label: { text: 'Matrix renewed' }, api_key: { text: `wk_renewed_${'y'.repeat(20)}` } },
        JSON.stringify({ medium: 'wantedly', accountId: o.acc }),
      ),
    effect: async (o) => Boolean(await db().mediaAccounts.findOne({ _id: new ObjectId(o.o.acc), label: 'Matrix renewed' })),
  },

  // jobs
  {
    id: 'job:new',
    kind: 'action',
    what: 'the new-job modal',
    objects: [],
    send: (c) => click(c, button('job:new'), 'ephemeral'),
    effect: (o) => shown(o, 'views.open', 'job:save'),
  },
  {
    id: 'job:edit',
    kind: 'action',
    what: "a job's edit modal",
    objects: ['job'],
    send: (c, o) => click(c, button('job:edit', hex(o.job)), 'ephemeral'),
    effect: (o) => shown(o, 'views.open', 'job:save'),
  },
  {
    id: 'job:save',
    kind: 'view',
    what: 'job modal submitted: a new job',
    objects: [],
    writes: true,
    send: (c) =>
      submit(c, 'job:save', { name: { text: 'Matrix created' }, channel: { conversation: 'C0MXNEW' } }, JSON.stringify({ jobId: null })),
    effect: async () => Boolean(await db().jobs.findOne({ teamId: A, name: 'Matrix created' })),
  },
  {
    id: 'job:save',
    kind: 'view',
    what: "job modal submitted: a job's changes",
    objects: ['job'],
    writes: true,
    send: async (c, o) => {
      const job = await db().jobs.findOne({ _id: o.job });
      return submit(
        c,
        'job:save',
        {
          name: { text: `${o.jobName} renamed` },
          channel: { conversation: job?.channelId ?? 'C0MXNEW' },
          admins: { users: job?.admins ?? [] },
        },
        JSON.stringify({ jobId: hex(o.job), version: job?.updatedAt.getTime() }),
      );
    },
    effect: async (o) => Boolean(await db().jobs.findOne({ _id: o.o.job, name: `${o.o.jobName} renamed` })),
  },

  // posting → job mapping
  {
    id: 'map:open',
    kind: 'action',
    what: "the import notice's button: the mapping modal",
    objects: [],
    send: (c) => click(c, button('map:open'), 'dm'),
    effect: (o) => shown(o, 'views.open', 'map:modal'),
  },
  {
    id: 'home:mapping',
    kind: 'action',
    what: "App Home's button: the mapping modal",
    objects: [],
    send: (c) => click(c, button('home:mapping'), 'home'),
    effect: (o) => shown(o, 'views.open', 'map:modal'),
  },
  {
    id: 'map:job',
    kind: 'action',
    what: "a posting's job chosen in the mapping modal",
    objects: ['posting', 'job'],
    writes: true,
    send: (c, o) => click(c, select('map:job', hex(o.job), `posting_${hex(o.posting)}`), { modal: 'map:modal', metadata: '{"page":0}' }),
    effect: async (o) => Boolean(await db().postings.findOne({ _id: o.o.posting, jobId: o.o.job })),
  },
  {
    id: 'map:page',
    kind: 'action',
    what: 'another page of the mapping modal',
    objects: [],
    send: (c) => click(c, button('map:page', '1'), { modal: 'map:modal', metadata: '{"page":0}' }),
    effect: (o) => shown(o, 'views.update', 'map:modal') && !o.said().includes(':no_entry:'),
  },
  {
    id: 'map:rule:add',
    kind: 'action',
    what: 'the new-rule modal, over the mapping modal',
    objects: [],
    send: (c) => click(c, button('map:rule:add'), { modal: 'map:modal', metadata: '{"page":0}' }),
    effect: (o) => shown(o, 'views.push', 'map:rule:save'),
  },
  {
    id: 'map:rule:delete',
    kind: 'action',
    what: 'delete a mapping rule',
    objects: ['rule'],
    writes: true,
    send: (c, o) => click(c, button('map:rule:delete', hex(o.rule)), { modal: 'map:modal', metadata: '{"page":0}' }),
    effect: async (o) => !(await db().mappingRules.findOne({ _id: o.o.rule })),
  },
  {
    id: 'map:rule:save',
    kind: 'view',
    what: 'rule modal submitted: a new mapping rule onto a job',
    objects: ['job'],
    writes: true,
    send: (c, o) =>
      submit(c, 'map:rule:save', {
        medium: { option: 'wantedly' },
        pattern: { text: 'matrix-rule' },
        match: { option: 'contains' },
        job: { option: hex(o.job) },
      }),
    effect: async (o) => Boolean(await db().mappingRules.findOne({ pattern: 'matrix-rule', jobId: o.o.job })),
  },
  jobSearch('map:job', 'search for a job to map a posting onto (past 100 jobs)'),
  jobSearch('map:rule:job', "search for a rule's job (past 100 jobs)"),

  // candidates
  details('cand:details', "a card's Details: the candidate modal"),
  details('cand:pick', "a search answer's pick: the candidate modal"),
  {
    id: 'cand:profile',
    kind: 'action',
    what: "a card's profile link (the browser opens it; only acknowledged)",
    objects: [],
    mayBeSilent: true,
    send: (c) => click(c, { ...button('cand:profile', 'x'), url: 'https://example.test/p' }, 'ephemeral'),
    effect: () => false,
  },
  {
    id: 'cand:stage',
    kind: 'action',
    what: "a candidate's stage changed in the modal",
    objects: ['candidate'],
    writes: true,
    send: (c, o) => click(c, select('cand:stage', `${hex(o.cand)}:screening`), { modal: 'cand:modal' }),
    effect: async (o) => Boolean(await db().candidates.findOne({ _id: o.o.cand, stage: 'screening' })),
  },

  {
    id: 'cand:erase',
    kind: 'action',
    what: "erase a candidate's personal data (details modal, confirmed)",
    objects: ['candidate'],
    writes: true,
    send: (c, o) => click(c, button('cand:erase', hex(o.cand)), { modal: 'cand:modal' }),
    // what src/domain/privacy.ts leaves: a tombstone without the name, the medium's id or the links
    effect: async (o) =>
      Boolean(
        await db().candidates.findOne({
          _id: o.o.cand,
          erasedAt: { $exists: true },
          name: '',
          externalId: `erased:${hex(o.o.cand)}`,
          links: { $size: 0 },
        }),
      ),
  },

  // the audit log (org admins): the seeded entry is listed
  {
    id: 'audit:page',
    kind: 'action',
    what: "another page of the audit log (the filters in the button's value)",
    objects: [],
    send: (c) => click(c, button('audit:page:next', JSON.stringify({ p: 0, u: AUDIT_SEED.actorId })), 'ephemeral'),
    effect: (o) => o.said().includes(AUDIT_MARKER),
  },
  {
    id: 'audit:user',
    kind: 'action',
    what: 'the audit log filtered by person',
    objects: [],
    send: (c) =>
      click(c, { type: 'users_select', action_id: 'audit:user', block_id: 'audit_f::', selected_user: AUDIT_SEED.actorId }, 'ephemeral'),
    effect: (o) => o.said().includes(AUDIT_MARKER),
  },
  {
    id: 'audit:action',
    kind: 'action',
    what: 'the audit log filtered by action',
    objects: [],
    send: (c) => click(c, select('audit:action', AUDIT_SEED.action, 'audit_f::'), 'ephemeral'),
    effect: (o) => o.said().includes(AUDIT_MARKER),
  },

  // org admins' modals
  {
    id: 'role:save',
    kind: 'view',
    what: "roles modal submitted: someone's org role",
    objects: ['user'],
    writes: true,
    send: (c, o) => submit(c, 'role:save', { user: { user: o.roleUser }, org_role: { option: 'limited' } }),
    effect: async (o) => Boolean(await db().members.findOne({ userId: o.o.roleUser, orgRole: 'limited' })),
  },
  {
    id: 'role:save',
    kind: 'view',
    what: "roles modal submitted: someone's role on a job",
    objects: ['job'],
    writes: true,
    send: (c, o) =>
      submit(c, 'role:save', {
        user: { user: U.standard },
        org_role: { option: 'keep' },
        job: { option: hex(o.job) },
        job_role: { option: 'admin' },
      }),
    effect: async (o) => Boolean(await db().jobs.findOne({ _id: o.o.job, admins: U.standard })),
  },
  {
    id: 'set:save',
    kind: 'view',
    what: "settings modal submitted: the org's time zone and private cards",
    objects: [],
    writes: true,
    send: (c) => submit(c, 'set:save', { zone: { text: 'America/New_York' }, cards: { option: 'private' } }),
    effect: async () => Boolean(await db().orgs.findOne({ _id: A, zone: 'America/New_York' })),
  },

  // events
  {
    id: 'event app_home_opened',
    kind: 'event',
    what: 'the Home tab opened: their own dashboard, as their role shows it',
    objects: [],
    send: (c) => event(c, { type: 'app_home_opened', user: c.user, channel: 'D0MXDM', tab: 'home' }),
    effect: (o) => o.calls().some((x) => x.method === 'views.publish' && x.args.user_id === o.col.user),
  },
  {
    id: 'event member_joined_channel',
    kind: 'event',
    what: "someone joins a job's channel (only the bot's own join is acted on)",
    objects: [],
    mayBeSilent: true,
    send: (c) => event(c, { type: 'member_joined_channel', user: c.user, channel: 'C0MXJ1', channel_type: 'C', team: c.team }),
    effect: () => false,
  },
  {
    id: 'event app_uninstalled',
    kind: 'event',
    what: 'the app was uninstalled (sent by Slack only)',
    objects: [],
    slackOnly: true,
    send: () => Promise.reject(new Error('not sent')),
    effect: () => false,
  },
  {
    id: 'event tokens_revoked',
    kind: 'event',
    what: 'tokens were revoked (sent by Slack only)',
    objects: [],
    slackOnly: true,
    send: () => Promise.reject(new Error('not sent')),
    effect: () => false,
  },
];

function applies(row: Row, col: Column): boolean {
  if (row.slackOnly) return false;
  if (col.target === 'own') return true;
  if (col.target === 'otherOrg') return row.objects.length > 0;
  // another job's objects: rows that name a job-bound object
  return row.objects.some((x) => x === 'job' || x === 'rule' || x === 'candidate');
}

// ---- one probe ------------------------------------------------------------------------------------

interface Result {
  cell: Cell;
  detail: string;
}

async function until(fn: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A legitimate request after the probe, through the same listener chain: once its delivery is
 * recorded, a probe that was going to answer or change something has had its turn (used only for
 * rows that may do nothing at all, and for the workspace that is not served).
 */
async function sentinel() {
  const col = COLUMNS[0];
  const s = await slash(col, 'help');
  expect(s.status).toBe(200);
  const key = `${A}:trigger:${s.triggerId}`;
  expect(await until(async () => (await db().deliveries.countDocuments({ _id: key })) > 0, 5000), 'sentinel delivery').toBe(true);
}

async function probe(row: Row, col: Column): Promise<Result> {
  if (!applies(row, col)) return { cell: 'n/a', detail: '' };
  await restore();
  h.slack.reset(); // calls, views, triggers and response URLs of earlier probes
  hookPosts.clear();
  const o = objectsFor(col.target);
  const callsBefore = 0;
  const refusals = { teamId: col.team, actorId: col.user, allowed: false };
  const auditedBefore = await db().auditLog.countDocuments(refusals);
  const sent = await row.send(col, o);
  const obs = observe(col, o, sent, callsBefore);
  const texts = refusalTexts(col.locale);
  const refusedSaid = () => texts.refused.some((s) => obs.said().includes(s));
  const notFoundSaid = () => texts.notFound.some((s) => obs.said().includes(s)) || obs.sent.json?.response_action === 'errors';
  const detail = () => `HTTP ${sent.status} ${sent.body.slice(0, 200)} | said ${obs.said().slice(0, 600)}`;

  if (row.options) {
    // the answer is the list itself
    const listed = await row.effect(obs);
    const changed = canonical(await dump()) !== baselineText;
    if (changed) throw new Error(`${row.id} by ${col.key}: an options request changed the database: ${detail()}`);
    if (col.team === C && !listed) return { cell: 'not served', detail: detail() };
    return { cell: listed ? 'allowed' : 'refused', detail: detail() };
  }

  const settled = await until(
    async () => (await row.effect(obs)) || refusedSaid() || notFoundSaid(),
    row.mayBeSilent || col.team === C ? 0 : 5000,
  );
  if (!settled) await sentinel();
  const effect = await row.effect(obs);
  const changed = canonical(await dump()) !== baselineText;
  if (effect) return { cell: 'allowed', detail: detail() };
  if (changed) throw new Error(`${row.id} by ${col.key}: the database changed without the expected effect: ${detail()}`);
  if (refusedSaid()) {
    // a refusal by the permission function is audit-logged (src/domain/access.ts)
    const audited = await until(async () => (await db().auditLog.countDocuments(refusals)) > auditedBefore, 5000);
    if (!audited) throw new Error(`${row.id} by ${col.key}: refused without an audit-log entry: ${detail()}`);
    return { cell: 'refused', detail: detail() };
  }
  if (notFoundSaid()) return { cell: 'not found', detail: detail() };
  const saidAnything =
    obs.calls().some((c) => SAYING.includes(c.method)) || (hookPosts.get(new URL(sent.responseUrl).pathname) ?? []).length > 0;
  if (col.team === C && !saidAnything) return { cell: 'not served', detail: detail() };
  if (row.mayBeSilent && sent.status === 200 && !saidAnything && !sent.body) return { cell: 'ignored', detail: detail() };
  throw new Error(`${row.id} by ${col.key}: neither the effect nor a refusal in ${col.locale}: ${detail()}`);
}

// ---- the document -------------------------------------------------------------------------------

function render(cells: Cell[][]): string {
  const head = ['Action', 'Kind', 'What it does', ...COLUMNS.map((c) => c.label)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? ' --- ' : ' :-: ')).join('|')}|`];
  ROWS.forEach((row, i) => {
    const what = row.slackOnly ? `${row.what}; no user can send it` : row.what;
    lines.push(`| \`${row.id}\` | ${row.kind} | ${what} | ${cells[i].map((c) => SYMBOL[c]).join(' | ')} |`);
  });
  const legend = [
    '',
    ...CELL_LEGEND.map(([cell, text]) => `- ${SYMBOL[cell] || '(empty)'} ${text}`),
    '',
    'Columns (workspace A unless said; J1 and J2 are two jobs of A, B is another org):',
    '',
    ...COLUMNS.map((c) => `- **${c.label}**: ${c.legend}`),
  ];
  return [...lines, ...legend].join('\n');
}

function section(doc: string): string | null {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return null;
  return doc.slice(a + START.length, b).trim();
}

/** The table as Markdown means it: cells trimmed (the formatter pads the columns, `npx biome check`). */
function normalize(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => {
      if (!line.startsWith('|')) return line.trimEnd();
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) =>
          c
            .trim()
            .replace(/^:-+:$/, ':-:')
            .replace(/^-+$/, '---'),
        );
      return `| ${cells.join(' | ')} |`;
    })
    .join('\n');
}

function lineDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] === a[i]) continue;
    if (e[i] !== undefined) out.push(`- ${e[i]}`);
    if (a[i] !== undefined) out.push(`+ ${a[i]}`);
  }
  return out.join('\n');
}

// ---- set-up ---------------------------------------------------------------------------------------

function candidate(teamId: string, jobId: ObjectId, name: string, medium: Medium = 'wantedly'): CandidateDoc {
  const now = new Date('2026-01-10T01:00:00Z');
  const accountId = new ObjectId();
  return {
    _id: new ObjectId(),
    teamId,
    medium,
    externalId: `mx-${name}`,
    name,
    searchKey: searchKey(name), // as the import writes it
    postingExternalId: 'mx-nowhere',
    postingTitle: 'Matrix posting',
    appliedAt: now,
    links: [],
    jobId,
    stage: 'new',
    assignees: [],
    accountIds: [accountId],
    importedAt: now,
    importHistory: [{ at: now, accountId, accountLabel: 'Main', runId: 'run-1' }],
  };
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const list = hookPosts.get(req.url ?? '') ?? [];
      try {
        list.push(JSON.parse(body));
      } catch {
        list.push(body);
      }
      hookPosts.set(req.url ?? '', list);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;

  // the media are unreachable: an allowed link starts a check that fails at once, and is undone
  const closed = Object.fromEntries(MEDIA.map((m) => [m, 'http://127.0.0.1:9'])) as Record<Medium, string>;
  h = await startHarness({ env: mediaUrlEnv(closed) });
  h.slack.setRateLimits(false);
  await h.install(A, {
    installer: U.admin,
    users: [
      { id: U.jobAdmin, locale: 'en-US' },
      { id: U.jobMember },
      { id: U.standard, locale: 'en-US' },
      { id: U.limited },
      { id: U.guest, locale: 'en-US', isRestricted: true },
      { id: U.gone },
      { id: U.j2Admin },
    ],
  });
  h.slack.deactivateUser(U.gone);
  // the directory read A's people at install, before the deactivation: read them again, as the
  // app's periodic listing would (users.list says `deleted: true` for U.gone now)
  await h.app.directory.list(A);
  await h.install(B, { installer: U.adminB, users: [{ id: U.userB }] });
  h.slack.addTeam({ id: C, name: 'Team C' });
  h.slack.addUser({ teamId: C, id: U.userC, name: 'userc', locale: 'ja-JP', isAdmin: true });
  const botA = h.slack.botUser(A).userId;
  for (const id of ['C0MXJ1', 'C0MXJ2', 'C0MXNEW']) h.slack.addChannel({ teamId: A, id, name: id.toLowerCase(), members: [botA, U.admin] });
  h.slack.addChannel({ teamId: B, id: 'C0MXJB', name: 'c0mxjb', members: [h.slack.botUser(B).userId] });

  const s = h.app.deps.store;
  const at = new Date('2026-01-01T00:00:00Z');
  const job = (teamId: string, name: string, channelId: string, admins: string[], members: string[]) => ({
    _id: new ObjectId(),
    teamId,
    name,
    nameKey: name.toLowerCase(),
    channelId,
    admins,
    members,
    createdBy: 'U0MXSEED',
    createdAt: at,
    updatedAt: at,
  });
  const j1 = job(A, 'Matrix J1', 'C0MXJ1', [U.jobAdmin, U.gone], [U.jobMember]);
  const j2 = job(A, 'Matrix J2', 'C0MXJ2', [U.j2Admin], []);
  const jb = job(B, 'Matrix JB', 'C0MXJB', [U.adminB], []);
  await s.jobs.insertMany([j1, j2, jb]);
  for (const j of [j1, j2, jb]) await s.jobs.updateOne({ _id: j._id }, { $set: { nameKey: normalizeName(j.name) } });

  const account = async (teamId: string, label: string, paused: boolean) => {
    const id = await insertLinkedAccount(
      h.app.deps,
      teamId,
      'wantedly',
      { medium: 'wantedly', apiKey: `key_${label.replace(/\W/g, '')}_0123456789` },
      label,
    );
    if (paused) await s.mediaAccounts.updateOne({ _id: new ObjectId(id) }, { $set: { paused: true } });
    return id;
  };
  const posting = (teamId: string, externalId: string, jobId: ObjectId | null) => ({
    _id: new ObjectId(),
    teamId,
    medium: 'wantedly' as const,
    externalId,
    accountId: new ObjectId(),
    accountLabel: 'Main',
    title: `Posting ${externalId}`,
    jobId,
    firstSeenAt: at,
    lastSeenAt: at,
  });
  const p1 = posting(A, 'mx-p1', null);
  const p2 = posting(A, 'mx-p2', j2._id);
  const pb = posting(B, 'mx-pb', null);
  await s.postings.insertMany([p1, p2, pb]);
  const rule = (teamId: string, pattern: string, jobId: ObjectId) => ({
    _id: new ObjectId(),
    teamId,
    medium: 'wantedly' as const,
    pattern,
    match: 'contains' as const,
    jobId,
    createdBy: 'U0MXSEED',
    createdAt: at,
  });
  const r1 = rule(A, 'zz-matrix-r1', j1._id);
  const r2 = rule(A, 'zz-matrix-r2', j2._id);
  const rb = rule(B, 'zz-matrix-rb', jb._id);
  await s.mappingRules.insertMany([r1, r2, rb]);
  const c1 = candidate(A, j1._id, 'Aoi Matrixone');
  const c2 = candidate(A, j2._id, 'Ren Matrixtwo');
  const cb = candidate(B, jb._id, 'Sora Matrixbee');
  await s.candidates.insertMany([c1, c2, cb]);
  await s.members.updateOne(
    { teamId: A, userId: U.limited },
    { $set: { orgRole: 'limited', updatedAt: at, updatedBy: U.admin } },
    { upsert: true },
  );

  own = {
    job: j1._id,
    jobName: j1.name,
    acc: await account(A, 'Main A', false),
    accLabel: 'Main A',
    accPaused: await account(A, 'Paused A', true),
    posting: p1._id,
    rule: r1._id,
    cand: c1._id!,
    candName: c1.name,
    roleUser: U.standard,
  };
  otherJob = { ...own, job: j2._id, jobName: j2.name, rule: r2._id, cand: c2._id!, candName: c2.name };
  otherOrg = {
    job: jb._id,
    jobName: jb.name,
    acc: await account(B, 'Main B', false),
    accLabel: 'Main B',
    accPaused: await account(B, 'Paused B', true),
    posting: pb._id,
    rule: rb._id,
    cand: cb._id!,
    candName: cb.name,
    roleUser: U.userB,
  };
  // the orgs exist before the baseline (a first read creates an org)
  await getOrg(h.app.deps, A);
  await getOrg(h.app.deps, B);
  await s.auditLog.insertOne({ ...AUDIT_SEED });
  // Every identity is known to the user directory before the matrix runs, so that each cell is the
  // steady answer and not the first contact's: A's people from the install's users.list (U.gone
  // deactivated), and B's two, whom users.info in A does not know (null: not in this workspace).
  // Someone the directory has not read yet gets "try again in a moment" and nothing decided
  // (test/e2e/ack-first.test.ts).
  const facts = (id: string) => h.app.deps.slack.userFacts(A, id, { waitMs: 5000 });
  expect(await facts(U.gone)).toMatchObject({ deleted: true });
  for (const id of [U.admin, U.jobAdmin, U.jobMember, U.standard, U.limited, U.guest]) expect(await facts(id)).not.toBe('unknown');
  for (const id of [U.adminB, U.userB]) expect(await facts(id), `${id} in A`).toBeNull();
  baseline = await dump();
  baselineText = canonical(baseline);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await new Promise((r) => hooks?.close(r));
});

// ---- the tests ----------------------------------------------------------------------------------

describe('every registered id has a row', () => {
  it('each /ats subcommand, action, view, options id and event is in the matrix', () => {
    const registered = new Set<string>(['/ats help']);
    for (const name of Object.keys(SUBCOMMANDS)) registered.add(`/ats ${name}`);
    for (const table of Object.values(ACTIONS)) for (const id of Object.keys(table)) registered.add(`action ${id}`);
    for (const table of Object.values(VIEWS)) for (const id of Object.keys(table)) registered.add(`view ${id}`);
    for (const table of Object.values(OPTIONS)) for (const id of Object.keys(table)) registered.add(`options ${id}`);
    // the events and commands registerAll subscribes to, from a recording stand-in for Bolt's App
    const events: string[] = [];
    const commands: string[] = [];
    const recorder = new Proxy(
      {},
      {
        get: (_t, method) => (first: unknown) => {
          if (method === 'event') events.push(String(first));
          if (method === 'command') commands.push(String(first));
        },
      },
    ) as unknown as App;
    registerAll(recorder, h.app.deps, () => undefined);
    expect(commands).toEqual(['/ats']);
    for (const e of events) registered.add(`event ${e}`);
    // every legacy id is an alias of a registered one
    for (const to of Object.values(LEGACY_ACTION_IDS)) expect(registered.has(`action ${to}`), to).toBe(true);

    const rows = new Set(ROWS.map((r) => (r.kind === 'command' || r.kind === 'event' ? r.id : `${r.kind} ${r.id}`)));
    expect(
      [...registered].filter((id) => !rows.has(id)),
      'registered ids without a row',
    ).toEqual([]);
    expect(
      [...rows].filter((id) => !registered.has(id)),
      'rows for ids nobody registered',
    ).toEqual([]);
  });
});

describe('the authorization matrix', () => {
  const cells: Cell[][] = [];
  const details: string[] = [];

  it('every action by every identity: allowed only with its effect, refused with nothing changed', async () => {
    for (const row of ROWS) {
      const line: Cell[] = [];
      for (const col of COLUMNS) {
        const r = await probe(row, col);
        line.push(r.cell);
        details.push(`${row.id} (${row.what}) × ${col.key}: ${r.cell}${r.cell === 'allowed' ? '' : ` — ${r.detail.slice(0, 160)}`}`);
      }
      cells.push(line);
    }
    await restore();

    // invariants that hold whatever the document says
    const at = (key: string) => COLUMNS.findIndex((c) => c.key === key);
    ROWS.forEach((row, i) => {
      if (!row.writes) return;
      // the probes can succeed: the org admin does every change on A's objects
      expect(cells[i][at('orgAdmin')], `${row.id} ${row.what} by the org admin`).toBe('allowed');
      for (const key of [
        'limited',
        'guest',
        'deactivated',
        'otherTeam',
        'noOrg',
        'otherOrg',
        'otherJobMember',
        'otherJobAdmin',
        'standard',
      ])
        expect(cells[i][at(key)], `${row.id} ${row.what} by ${key}`).not.toBe('allowed');
    });
    // the deactivated account (still an admin of J1) is refused for being deactivated, not for a
    // missing role: the directory holds Slack's `deleted: true` for them
    const goneRefusals = await db().auditLog.find({ teamId: A, actorId: U.gone, allowed: false }).toArray();
    expect(goneRefusals.length, 'refusals of the deactivated account').toBeGreaterThan(0);
    expect(new Set(goneRefusals.map((r) => r.reason))).toEqual(new Set(['deactivated']));
  }, 240_000);

  it('is the table docs/security.md shows', () => {
    expect(cells.length, 'the matrix ran').toBe(ROWS.length);
    const table = render(cells);
    const doc = readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_SECURITY_DOC === '1') {
      const a = doc.indexOf(START);
      const b = doc.indexOf(END);
      expect(a >= 0 && b > a, `docs/security.md has the markers ${START} … ${END}`).toBe(true);
      writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n\n${table}\n\n${doc.slice(b)}`);
      // padded as the repository's formatter wants it (the comparison ignores the padding)
      execFileSync(fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url)), ['format', '--write', DOC], {
        stdio: 'ignore',
      });
      return;
    }
    const documented = section(doc);
    expect(documented, `docs/security.md has the markers ${START} … ${END}`).not.toBeNull();
    if (normalize(documented!) !== normalize(table)) {
      throw new Error(
        `docs/security.md's authorization matrix is not what the app does (run UPDATE_SECURITY_DOC=1 npx vitest run test/e2e/authorization-matrix.test.ts if the change is intended):\n${lineDiff(normalize(documented!), normalize(table))}\n\ncells:\n${details.join('\n')}`,
      );
    }
  });
});
