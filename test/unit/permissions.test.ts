/**
 * src/domain/permissions.ts `decide`, table-driven from the roles table in docs/architecture.md:
 *
 * | action                                                   | org admin | job admin | job member | limited        |
 * | link/pause/unlink media, Zoom org link, SmartRecruiters, roles | ✔ | –         | –          | –              |
 * | create a job, set its channel                            | ✔         | own jobs  | –          | –              |
 * | map postings / edit mapping rules                        | ✔         | own jobs  | –          | –              |
 * | see candidates                                           | all       | own jobs  | own jobs   | only assigned  |
 * | comment, evaluate                                        | ✔         | ✔         | ✔          | assigned only  |
 * | schedule an interview, create a Zoom meeting             | ✔         | ✔         | ✔          | –              |
 * | told when an import finishes / to set mapping            | ✔         | ✔         | ✔          | –              |
 *
 * plus a standard member with no job role (sees lists, nothing job-bound) for every Action.
 */
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { decide, displayRole, type Action, type Actor, type Target } from '../../src/domain/permissions';

const JOB_A = new ObjectId().toHexString();
const JOB_B = new ObjectId().toHexString();
const TEAM = 'T0PERM';

const actors = {
  orgAdmin: { teamId: TEAM, userId: 'U0ADMIN', orgRole: 'org_admin', jobAdminOf: [], jobMemberOf: [] },
  jobAdmin: { teamId: TEAM, userId: 'U0JADMIN', orgRole: 'standard', jobAdminOf: [JOB_A], jobMemberOf: [] },
  jobMember: { teamId: TEAM, userId: 'U0JMEMBER', orgRole: 'standard', jobAdminOf: [], jobMemberOf: [JOB_A] },
  limited: { teamId: TEAM, userId: 'U0LIMITED', orgRole: 'limited', jobAdminOf: [], jobMemberOf: [] },
  standard: { teamId: TEAM, userId: 'U0STD', orgRole: 'standard', jobAdminOf: [], jobMemberOf: [] },
} satisfies Record<string, Actor>;
type Who = keyof typeof actors;
const WHO = Object.keys(actors) as Who[];

const targets = {
  none: {},
  jobA: { jobId: JOB_A },
  jobB: { jobId: JOB_B },
  jobAObjectId: { jobId: new ObjectId(JOB_A) },
  noJob: { jobId: null },
  candA: { candidate: { jobId: JOB_A, assignees: [] } },
  candAObjectId: { candidate: { jobId: new ObjectId(JOB_A), assignees: [] } },
  candB: { candidate: { jobId: JOB_B, assignees: [] } },
  candBAssignedToLimited: { candidate: { jobId: JOB_B, assignees: ['U0LIMITED'] } },
  candUnmappedAssignedToLimited: { candidate: { jobId: null, assignees: ['U0LIMITED'] } },
  candUnmapped: { candidate: { jobId: null, assignees: [] } },
} satisfies Record<string, Target>;
type TargetName = keyof typeof targets;

/** ✔ = allowed, – = refused; one letter per actor in WHO order: orgAdmin jobAdmin jobMember limited standard. */
type Row = [TargetName, `${'✔' | '–'}${'✔' | '–'}${'✔' | '–'}${'✔' | '–'}${'✔' | '–'}`];

// Record<Action, …>: a new Action that is not in this table fails `tsc`.
const TABLE: Record<Action, Row[]> = {
  // org admins only
  'accounts.manage': [
    ['none', '✔––––'],
    ['jobA', '✔––––'],
  ],
  'roles.manage': [['none', '✔––––']],
  'settings.manage': [['none', '✔––––']],
  'integrations.manage': [['none', '✔––––']],
  // privacy: erasing a candidate (whoever's job they are in, assigned or not) and reading the audit log
  'candidates.erase': [
    ['none', '✔––––'],
    ['candA', '✔––––'],
    ['candBAssignedToLimited', '✔––––'],
  ],
  'audit.view': [['none', '✔––––']],
  // create a job: org admin, or a job admin (of any job); not members, limited or standard
  'jobs.create': [['none', '✔✔–––']],
  // edit / set channel, map postings: org admin, or the job admin of *that* job
  'jobs.edit': [
    ['jobA', '✔✔–––'],
    ['jobAObjectId', '✔✔–––'],
    ['jobB', '✔––––'],
    ['noJob', '✔––––'],
    ['none', '✔––––'],
  ],
  'mapping.edit': [
    ['jobA', '✔✔–––'],
    ['jobAObjectId', '✔✔–––'],
    ['jobB', '✔––––'],
    ['noJob', '✔––––'],
  ],
  // lists: everyone except limited access
  'accounts.view': [['none', '✔✔✔–✔']],
  'jobs.view': [['none', '✔✔✔–✔']],
  'mapping.view': [['none', '✔✔✔–✔']],
  // candidates: all / own jobs / own jobs / only assigned
  'candidates.view': [
    ['candA', '✔✔✔––'],
    ['candAObjectId', '✔✔✔––'],
    ['candB', '✔––––'],
    ['candBAssignedToLimited', '✔––✔–'],
    ['candUnmappedAssignedToLimited', '✔––✔–'],
    ['candUnmapped', '✔––––'],
    ['none', '✔––––'],
  ],
  'candidates.comment': [
    ['candA', '✔✔✔––'],
    ['candB', '✔––––'],
    ['candBAssignedToLimited', '✔––✔–'],
    ['candUnmapped', '✔––––'],
  ],
  // on a job team (admin or member): yes; limited and no job role: no
  'interviews.schedule': [['none', '✔✔✔––']],
  'imports.notify': [['none', '✔✔✔––']],
};

const cases = Object.entries(TABLE).flatMap(([action, rows]) =>
  rows.flatMap(([target, marks]) => WHO.map((who, i) => ({ action: action as Action, target, who, allowed: [...marks][i] === '✔' }))),
);

describe('decide (the roles table)', () => {
  it.each(cases)('$action on $target by $who → allowed=$allowed', ({ action, target, who, allowed }) => {
    const d = decide(actors[who], action, targets[target]);
    expect(d.allowed).toBe(allowed);
    if (allowed) expect(d.reason).toBeUndefined();
    else expect(d.reason).toMatch(/^(not_org_admin|not_job_admin|not_on_job|limited_access|not_assigned)$/);
  });

  it('gives the reasons a refusal message needs', () => {
    expect(decide(actors.jobAdmin, 'roles.manage').reason).toBe('not_org_admin');
    expect(decide(actors.jobAdmin, 'jobs.edit', targets.jobB).reason).toBe('not_job_admin');
    expect(decide(actors.jobMember, 'jobs.edit', targets.jobA).reason).toBe('not_job_admin');
    expect(decide(actors.limited, 'jobs.edit', targets.jobA).reason).toBe('limited_access');
    expect(decide(actors.limited, 'candidates.view', targets.candA).reason).toBe('not_assigned');
    expect(decide(actors.jobMember, 'candidates.view', targets.candB).reason).toBe('not_on_job');
    expect(decide(actors.limited, 'interviews.schedule').reason).toBe('limited_access');
  });

  it('limited access never gains a job role’s rights, even when listed on a job', () => {
    const odd: Actor = { ...actors.limited, jobAdminOf: [JOB_A], jobMemberOf: [JOB_B] };
    for (const action of [
      'jobs.create',
      'jobs.edit',
      'mapping.edit',
      'interviews.schedule',
      'imports.notify',
      'accounts.view',
    ] as Action[]) {
      expect(decide(odd, action, targets.jobA).allowed, action).toBe(false);
    }
    expect(decide(odd, 'candidates.view', targets.candA).allowed).toBe(false);
    expect(decide(odd, 'candidates.view', targets.candBAssignedToLimited).allowed).toBe(true);
  });

  it('a deactivated Slack account may do nothing, whatever roles it kept (the matrix found a former job admin allowed)', () => {
    for (const who of WHO) {
      const gone: Actor = { ...actors[who], jobAdminOf: [JOB_A], jobMemberOf: [JOB_B], deactivated: true };
      for (const action of Object.keys(TABLE) as Action[])
        for (const target of Object.values(targets)) {
          const d = decide(gone, action, target);
          expect({ who, action, allowed: d.allowed, reason: d.reason }).toEqual({ who, action, allowed: false, reason: 'deactivated' });
        }
    }
  });

  it('a job admin of A is not an admin of B just because B is a member job', () => {
    const both: Actor = { ...actors.standard, jobAdminOf: [JOB_A], jobMemberOf: [JOB_B] };
    expect(decide(both, 'jobs.edit', targets.jobB).allowed).toBe(false);
    expect(decide(both, 'mapping.edit', targets.jobB).allowed).toBe(false);
    expect(decide(both, 'candidates.view', targets.candB).allowed).toBe(true);
  });
});

describe('displayRole', () => {
  it.each([
    ['orgAdmin', 'org_admin'],
    ['jobAdmin', 'job_admin'],
    ['jobMember', 'job_member'],
    ['limited', 'limited'],
    ['standard', 'standard'],
  ] as const)('%s → %s', (who, role) => {
    expect(displayRole(actors[who])).toBe(role);
  });
});
