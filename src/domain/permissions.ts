/**
 * The one function that decides every permission (docs/architecture.md, "Roles"). Pure: it takes the
 * actor's roles and the target and answers; `authorize` in src/domain/access.ts audit-logs refusals.
 */
import type { ObjectId } from 'mongodb';
import type { DisplayRole, OrgRole, RefusalReason } from '../vocabulary';

export type Action =
  | 'accounts.manage' // link, pause, resume, re-enter, unlink media accounts
  | 'accounts.view'
  | 'roles.manage'
  | 'settings.manage'
  | 'integrations.manage' // Zoom org link, SmartRecruiters
  | 'jobs.create'
  | 'jobs.edit' // target: job
  | 'jobs.view'
  | 'mapping.edit' // target: job the posting is mapped onto (or unmapped from)
  | 'mapping.view'
  | 'candidates.view' // target: candidate
  | 'candidates.comment' // target: candidate
  | 'candidates.erase' // erase a candidate's personal data (privacy on request)
  | 'audit.view' // `/ats audit`
  | 'interviews.schedule'
  | 'imports.notify'; // is told when an import finishes / to set the mapping

export interface Actor {
  teamId: string;
  userId: string;
  orgRole: OrgRole;
  jobAdminOf: string[]; // job ids (hex)
  jobMemberOf: string[];
  /** Deactivated in Slack: whatever roles they kept, they may do nothing (src/domain/members.ts). */
  deactivated?: boolean;
}

export interface Target {
  jobId?: ObjectId | string | null;
  candidate?: { jobId: ObjectId | string | null; assignees: string[] };
}

export interface Decision {
  allowed: boolean;
  reason?: RefusalReason;
}

const id = (v: ObjectId | string | null | undefined) => (v == null ? null : String(v));
const allow: Decision = { allowed: true };
const deny = (reason: Decision['reason']): Decision => ({ allowed: false, reason });

export function decide(actor: Actor, action: Action, target: Target = {}): Decision {
  // a deactivated Slack account keeps its job lists and org role until someone removes them
  if (actor.deactivated) return deny('deactivated');
  const orgAdmin = actor.orgRole === 'org_admin';
  const limited = actor.orgRole === 'limited';
  const onJob = (jobId: string | null) => jobId !== null && (actor.jobAdminOf.includes(jobId) || actor.jobMemberOf.includes(jobId));
  const adminOf = (jobId: string | null) => jobId !== null && actor.jobAdminOf.includes(jobId);

  switch (action) {
    case 'accounts.manage':
    case 'roles.manage':
    case 'settings.manage':
    case 'integrations.manage':
    case 'candidates.erase':
    case 'audit.view':
      return orgAdmin ? allow : deny('not_org_admin');
    case 'accounts.view':
    case 'jobs.view':
    case 'mapping.view':
      return limited ? deny('limited_access') : allow;
    case 'jobs.create':
      if (orgAdmin) return allow;
      return !limited && actor.jobAdminOf.length > 0 ? allow : deny('not_job_admin');
    case 'jobs.edit':
    case 'mapping.edit':
      if (orgAdmin) return allow;
      if (limited) return deny('limited_access');
      return adminOf(id(target.jobId)) ? allow : deny('not_job_admin');
    case 'candidates.view':
    case 'candidates.comment': {
      if (orgAdmin) return allow;
      const c = target.candidate;
      if (!c) return deny('not_on_job');
      if (limited) return c.assignees.includes(actor.userId) ? allow : deny('not_assigned');
      return onJob(id(c.jobId)) || c.assignees.includes(actor.userId) ? allow : deny('not_on_job');
    }
    case 'interviews.schedule':
    case 'imports.notify':
      if (orgAdmin) return allow;
      if (limited) return deny('limited_access');
      return actor.jobAdminOf.length + actor.jobMemberOf.length > 0 ? allow : deny('not_on_job');
  }
}

/** The role a person is shown as: org admin > job admin > job member > limited > standard. */
export function displayRole(actor: Actor): DisplayRole {
  if (actor.orgRole === 'org_admin') return 'org_admin';
  if (actor.orgRole === 'limited') return 'limited';
  if (actor.jobAdminOf.length) return 'job_admin';
  if (actor.jobMemberOf.length) return 'job_member';
  return 'standard';
}
