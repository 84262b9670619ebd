/** `/ats roles` (org admins): the modal, and its submission. */
import { authorize } from '../src/domain/access';
import { orgAdmins } from '../src/domain/members';
import { changeRoles, roleChangeSchema } from '../src/domain/roles';
import { rolesModal } from '../views/roles';
import type { CommandArgs } from './ats';
import { ackSubmissionError, type Ctx } from './context';
import type { ViewArgs } from './dispatch';
import { viewValue } from './view-values';

export async function openRoles(ctx: Ctx, triggerId: string) {
  await authorize(ctx.deps, await ctx.actor(), 'roles.manage');
  const [admins, jobs] = await Promise.all([
    orgAdmins(ctx.deps, ctx.teamId),
    ctx.deps.store.jobs
      .find({ teamId: ctx.teamId }, { projection: { name: 1 } })
      .sort({ name: 1 })
      .limit(100)
      .toArray(),
  ]);
  await ctx.client.views.open({
    trigger_id: triggerId,
    view: rolesModal(ctx.t, { admins, jobs: jobs.map((j) => ({ id: String(j._id), name: j.name })) }),
  });
}

/** `/ats roles` */
export async function rolesCommand({ ctx, command }: CommandArgs) {
  await openRoles(ctx, command.trigger_id);
}

/** The roles modal submitted (`role:save`): an org role and/or a job role for someone. */
export async function submitRoles({ ack, view, ctx }: ViewArgs) {
  const deps = ctx.deps;
  const parsed = roleChangeSchema.safeParse({
    userId: viewValue(view, 'user'),
    orgRole: viewValue(view, 'org_role') ?? 'keep',
    jobId: viewValue(view, 'job') ?? null,
    jobRole: viewValue(view, 'job_role') ?? null,
  });
  if (!parsed.success) {
    await ack({ response_action: 'errors', errors: { user: ctx.t('link.errors.required') } });
    return;
  }
  try {
    const result = await changeRoles(deps, await ctx.actor(), parsed.data);
    await ack();
    const lines: string[] = [];
    if (result.orgRole) lines.push(ctx.t('roles.saved', { user: parsed.data.userId, role: ctx.t(`roles.${result.orgRole}`) }));
    if (result.job) {
      const jobRole =
        result.job.role === 'admin'
          ? ctx.t('roles.job_admin')
          : result.job.role === 'member'
            ? ctx.t('roles.job_member')
            : ctx.t('roles.jobRoleNone');
      lines.push(ctx.t('roles.savedJob', { user: parsed.data.userId, job: result.job.name, role: jobRole }));
    }
    await ctx.reply({ text: lines.join('\n') });
  } catch (err) {
    await ackSubmissionError(ack, ctx, err, 'user');
  }
}
