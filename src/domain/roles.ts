/** Giving and taking roles (`/ats roles`): org role on the members collection, job roles on jobs. */
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { OrgRole } from '../vocabulary';
import { authorize } from './access';
import { audit } from './audit';
import { DomainError, NotFoundError, ValidationError } from './errors';
import { setOrgRoleUnchecked } from './members';
import { userIdSchema } from '../text';

export const roleChangeSchema = z.object({
  userId: userIdSchema,
  /** 'keep': leave the org role as it is (the modal's default) */
  orgRole: z.enum(['keep', 'org_admin', 'standard', 'limited']),
  jobId: z
    .string()
    .regex(/^[a-f0-9]{24}$/)
    .nullable(),
  jobRole: z.enum(['admin', 'member', 'none']).nullable(),
});
export type RoleChange = z.infer<typeof roleChangeSchema>;

/** What changed: the org role when it was set, the job role when one was given. */
export async function changeRoles(
  deps: Deps,
  actor: Actor,
  input: RoleChange,
): Promise<{ orgRole?: OrgRole; job?: { name: string; role: 'admin' | 'member' | 'none' } }> {
  await authorize(deps, actor, 'roles.manage', {}, { userId: input.userId });
  const { teamId } = actor;
  if (input.jobId && !input.jobRole) throw new ValidationError({ job_role: { key: 'roles.jobRoleMissing' } });
  if (input.jobRole && !input.jobId) throw new ValidationError({ job: { key: 'roles.jobMissing' } });
  if (input.orgRole === 'keep' && !input.jobId) throw new ValidationError({ org_role: { key: 'roles.nothingToChange' } });
  const facts = await deps.slack.userFacts(teamId, input.userId); // from the directory: no Slack call before the ack
  if (facts === 'unknown') throw new ValidationError({ user: { key: 'ackFirst.targetNotYetKnown' } });
  if (!facts || facts.isBot || facts.isGuest) throw new ValidationError({ user: { key: 'roles.cannotTargetBot' } });

  let job: { name: string; role: 'admin' | 'member' | 'none' } | undefined;
  const jobId = input.jobId ? new ObjectId(input.jobId) : null;
  if (jobId && !(await deps.store.jobs.countDocuments({ _id: jobId, teamId }, { limit: 1 }))) throw new NotFoundError('jobs.notFound');

  const orgRole = input.orgRole === 'keep' ? undefined : input.orgRole;
  if (orgRole) {
    const current = await deps.store.members.findOne({ teamId, userId: input.userId });
    const demoting = current?.orgRole === 'org_admin' && orgRole !== 'org_admin';
    if (demoting && (await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' })) <= 1)
      throw new DomainError('roles.lastOrgAdmin');
    await setOrgRoleUnchecked(deps, teamId, input.userId, orgRole, actor.userId);
    // two admins demoting each other at once both passed the count: whoever finds none left undoes
    // their own change (both may; an org never ends without an org admin)
    if (demoting && !(await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' }, { limit: 1 }))) {
      await setOrgRoleUnchecked(deps, teamId, input.userId, 'org_admin', actor.userId);
      throw new DomainError('roles.lastOrgAdmin');
    }
  }

  if (jobId && input.jobRole) {
    const u = input.userId;
    // one update: never a moment where the person is on neither list
    const update =
      input.jobRole === 'admin'
        ? { $pull: { members: u }, $addToSet: { admins: u } }
        : input.jobRole === 'member'
          ? { $pull: { admins: u }, $addToSet: { members: u } }
          : { $pull: { admins: u, members: u } };
    const doc = await deps.store.jobs.findOneAndUpdate(
      { _id: jobId, teamId },
      { ...update, $set: { updatedAt: deps.clock() } },
      { returnDocument: 'after' },
    );
    if (!doc) throw new NotFoundError('jobs.notFound');
    job = { name: doc.name, role: input.jobRole };
  }
  await audit(deps, {
    teamId,
    actorId: actor.userId,
    action: 'roles.manage',
    allowed: true,
    target: { userId: input.userId, orgRole: orgRole ?? null, jobId: input.jobId, jobRole: input.jobRole },
  });
  return { orgRole, job };
}
