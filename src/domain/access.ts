/** `authorize`: decide, and on refusal write the audit log and throw RefusedError. */
import type { Deps } from './deps';
import { decide, type Action, type Actor, type Target } from './permissions';
import { audit } from './audit';
import { RefusedError } from './errors';

export async function authorize(deps: Deps, actor: Actor, action: Action, target: Target = {}, detail?: Record<string, unknown>) {
  const decision = decide(actor, action, target);
  if (decision.allowed) return;
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action,
    allowed: false,
    reason: decision.reason,
    target: { ...(target.jobId ? { jobId: String(target.jobId) } : {}), ...detail },
  });
  throw new RefusedError('common.refused', { action });
}
