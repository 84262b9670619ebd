/**
 * Who someone is in an org: their org role (members collection) and their job roles (jobs'
 * admins/members). The first org admin is the installer (OAuth) or, in single-workspace mode,
 * the first Slack workspace admin/owner who uses the app.
 */
import type { Deps, UserFactsAnswer } from './deps';
import type { Actor } from './permissions';
import type { OrgRole } from '../vocabulary';
import { isDuplicateKey } from '../storage/db';
import { DomainError } from './errors';

/**
 * `waitMs`: how long a person nobody gave a role may wait for Slack's facts about them (the user
 * directory's queued lookup); 0 before an ack. Still unknown after it: `ackFirst.notYetKnown`.
 *
 * A person deactivated in Slack keeps their member row and their places on jobs until someone takes
 * them away; `deactivated` makes the permission function refuse them everything meanwhile (Slack
 * sends nothing for a deactivated account, so this only matters for a payload that arrives anyway).
 * The facts come from the user directory (never a Slack call here).
 */
export async function loadActor(deps: Deps, teamId: string, userId: string, opts: { waitMs?: number } = {}): Promise<Actor> {
  const [member, jobs, known] = await Promise.all([
    deps.store.members.findOne({ teamId, userId }),
    deps.store.jobs.find({ teamId, $or: [{ admins: userId }, { members: userId }] }, { projection: { admins: 1, members: 1 } }).toArray(),
    deps.slack.userFacts(teamId, userId),
  ]);
  let facts = known;
  let orgRole: OrgRole = member?.orgRole ?? 'standard';
  if (!member) {
    if (facts === 'unknown' && opts.waitMs) facts = await deps.slack.userFacts(teamId, userId, { waitMs: opts.waitMs });
    orgRole = await defaultRole(deps, teamId, userId, facts);
  }
  return {
    teamId,
    userId,
    orgRole,
    jobAdminOf: jobs.filter((j) => j.admins.includes(userId)).map((j) => String(j._id)),
    jobMemberOf: jobs.filter((j) => j.members.includes(userId)).map((j) => String(j._id)),
    ...(facts && facts !== 'unknown' && facts.deleted ? { deactivated: true } : {}),
  };
}

const teamsWithAdmin = new Set<string>();

/**
 * The role of someone nobody gave one. Slack guests (single- and multi-channel) and bots get limited
 * access: a guest invited to one channel must not see the org's accounts, jobs or postings; so does
 * someone Slack does not know (an external user of a shared channel). Anyone else is standard — or,
 * while the org has no org admin yet, a Slack workspace admin or owner becomes its first one.
 * Someone the user directory has not read yet is neither: nothing is decided for them, they are
 * asked to try again in a moment (a guest must not pass for standard while Slack is slow).
 */
async function defaultRole(deps: Deps, teamId: string, userId: string, facts: UserFactsAnswer): Promise<OrgRole> {
  if (facts === 'unknown') throw new DomainError('ackFirst.notYetKnown');
  // unknown to this workspace's Slack (an external user in a shared channel), a guest, a bot, a
  // deactivated account (never the first org admin)
  if (!facts || facts.isGuest || facts.isBot || facts.deleted) return 'limited';
  // once an org has an org admin it keeps one (the last cannot be removed): ask the database once
  if (teamsWithAdmin.has(teamId)) return 'standard';
  const hasAdmin = await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' }, { limit: 1 });
  if (hasAdmin) {
    teamsWithAdmin.add(teamId);
    return 'standard';
  }
  if (!facts.isAdmin) return 'standard';
  await setOrgRoleUnchecked(deps, teamId, userId, 'org_admin', 'bootstrap');
  return 'org_admin';
}

export async function setOrgRoleUnchecked(deps: Deps, teamId: string, userId: string, orgRole: OrgRole, by: string) {
  try {
    await deps.store.members.updateOne({ teamId, userId }, { $set: { orgRole, updatedAt: deps.clock(), updatedBy: by } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a concurrent upsert of the same member: the other one won
    await deps.store.members.updateOne({ teamId, userId }, { $set: { orgRole, updatedAt: deps.clock(), updatedBy: by } });
  }
}

export async function orgAdmins(deps: Deps, teamId: string): Promise<string[]> {
  const docs = await deps.store.members.find({ teamId, orgRole: 'org_admin' }, { projection: { userId: 1 } }).toArray();
  return docs.map((d) => d.userId);
}
