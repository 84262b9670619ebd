/**
 * Single-workspace mode (SLACK_BOT_TOKEN, no OAuth) serves only the workspace the bot token belongs
 * to (issue 13, defect 8): a correctly signed request claiming another team id runs no handler,
 * changes nothing and is logged at info; the installed team is served as before.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, postSigned, SIGNING_SECRET, type Harness } from '../helpers/app';
import { startSlackEmulator, type SlackEmulator } from '../../emulators/slack/index';
import { startTestMongo, type TestMongo } from '../helpers/mongo';

const T = 'T0SINGLE1';
const OTHER = 'T0ELSEWHERE';
const ADMIN = 'U0SINGLEADMIN';
const MEMBER = 'U0SINGLEMEMBER';

let mongo: TestMongo;
let slack: SlackEmulator;
let h: Harness;

beforeAll(async () => {
  mongo = await startTestMongo('single');
  slack = await startSlackEmulator({ port: 0, signingSecret: SIGNING_SECRET });
  slack.addTeam({ id: T, name: 'single' });
  slack.addUser({ teamId: T, id: ADMIN, name: 'admin', locale: 'ja-JP', isAdmin: true });
  slack.addUser({ teamId: T, id: MEMBER, name: 'member', locale: 'ja-JP' });
  const token = slack.issueBotToken(T);
  h = await startHarness({
    reuse: { mongo, slack },
    env: { SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: '', SLACK_STATE_SECRET: '', SLACK_BOT_TOKEN: token },
  });
  expect(h.config.slackMode).toBe('single');
});
afterAll(async () => {
  await h?.close();
  await slack?.close();
  await mongo?.close();
});

/** A correctly signed `/ats <text>` as Slack would send it, claiming `teamId`. */
async function craftedSlash(teamId: string, userId: string, text: string): Promise<number> {
  const form = new URLSearchParams({
    token: 'legacy',
    team_id: teamId,
    team_domain: 'elsewhere',
    channel_id: 'C0CRAFTED',
    channel_name: 'general',
    user_id: userId,
    user_name: 'x',
    command: '/ats',
    text,
    api_app_id: 'A0TEST',
    response_url: `${slack.url}/response/crafted`,
    trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
  });
  const res = await postSigned(h, form.toString());
  await res.text();
  return res.status;
}

const snapshot = async () => {
  const db = h.app.deps.store;
  const [members, audit, jobs] = await Promise.all([
    db.members.find({}).sort({ teamId: 1, userId: 1 }).toArray(),
    db.auditLog.find({}).sort({ at: 1 }).toArray(),
    db.jobs.find({}).toArray(),
  ]);
  return JSON.stringify({ members, audit, jobs });
};

describe('single-workspace mode', () => {
  it('a signed request claiming another team runs no handler and makes nobody an org admin', async () => {
    slack.reset();
    const before = await snapshot();
    // the installed workspace's admin, as if from a team that has no org yet: before the fix this made
    // them the first org admin of a new org for OTHER (and opened the roles modal)
    expect(await craftedSlash(OTHER, ADMIN, 'roles')).toBe(200);
    expect(await craftedSlash(OTHER, 'U0STRANGER', 'help')).toBe(200);

    // a sentinel from the installed team: once it has been served, anything the refused requests
    // could have triggered would be visible too
    const sentinel = await slack.slash({ teamId: T, userId: MEMBER, text: 'help' });
    expect(sentinel.status).toBe(200);
    expect(JSON.stringify(sentinel.json.blocks)).toContain('使い方');
    await eventually(
      async () => (await h.app.deps.store.deliveries.countDocuments({ _id: `${T}:trigger:${sentinel.triggerId}` })) > 0,
      'sentinel delivery',
    );

    expect(await h.app.deps.store.members.countDocuments({ teamId: OTHER })).toBe(0);
    expect(await snapshot()).toBe(before);
    expect(slack.calls('views.open')).toHaveLength(0);
    expect(slack.calls('users.info').filter((c) => c.args.user !== MEMBER)).toEqual([]);
    const refusals = h.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request from another workspace ignored');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ level: 30, teamId: OTHER, installedTeamId: T });
  });

  it('the installed team is served: its Slack admin becomes the first org admin', async () => {
    slack.reset();
    const res = await slack.slash({ teamId: T, userId: ADMIN, text: 'roles' });
    expect(res.status).toBe(200);
    await slack.waitForCall('views.open');
    await eventually(() => h.app.deps.store.members.findOne({ teamId: T, userId: ADMIN, orgRole: 'org_admin' }), 'first org admin');
  });
});
