/** Giving and taking roles (`/ats roles`): org role on the members collection, job roles on jobs. */
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { OrgRole } from '../storage/types';
import { authorize } from './access';
import { audit } from './audit';
import { DomainError, NotFoundError, ValidationError } from './errors';
import { setOrgRoleUnchecked } from './members';

export const roleChangeSchema = z.object({
  userId: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
  orgRole: z.enum(['org_admin', 'standard', 'limited']),
  jobId: z.string().regex(/^[a-f0-9]{24}$/).nullable(),
  jobRole: z.enum(['admin', 'member', 'none']).nullable(),
});
export type RoleChange = z.infer<typeof roleChangeSchema>;

export async function changeRoles(deps: Deps, actor: Actor, input: RoleChange): Promise<{ orgRole: OrgRole; job?: { name: string; role: 'admin' | 'member' | 'none' } }> {
  await authorize(deps, actor, 'roles.manage', {}, { userId: input.userId });
  const { teamId } = actor;
  const facts = await deps.slack.userFacts(teamId, input.userId);
  if (!facts || facts.isBot || facts.isGuest) throw new ValidationError({ user: { key: 'roles.cannotTargetBot' } });

  const current = await deps.store.members.findOne({ teamId, userId: input.userId });
  if (current?.orgRole === 'org_admin' && input.orgRole !== 'org_admin') {
    const admins = await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' });
    if (admins <= 1) throw new DomainError('roles.lastOrgAdmin');
  }
  await setOrgRoleUnchecked(deps, teamId, input.userId, input.orgRole, actor.userId);

  let job: { name: string; role: 'admin' | 'member' | 'none' } | undefined;
  if (input.jobId && input.jobRole) {
    const _id = new ObjectId(input.jobId);
    const pull = { admins: input.userId, members: input.userId };
    const add = input.jobRole === 'admin' ? { admins: input.userId } : input.jobRole === 'member' ? { members: input.userId } : null;
    const doc = await deps.store.jobs.findOneAndUpdate(
      { _id, teamId },
      { $pull: pull, $set: { updatedAt: deps.clock() } },
      { returnDocument: 'after' },
    );
    if (!doc) throw new NotFoundError('jobs.notFound');
    if (add) await deps.store.jobs.updateOne({ _id, teamId }, { $addToSet: add });
    job = { name: doc.name, role: input.jobRole };
  }
  await audit(deps, {
    teamId, actorId: actor.userId, action: 'roles.manage', allowed: true,
    target: { userId: input.userId, orgRole: input.orgRole, jobId: input.jobId, jobRole: input.jobRole },
  });
  return { orgRole: input.orgRole, job };
}
