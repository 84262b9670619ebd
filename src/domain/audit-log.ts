/** Reading the audit log (`/ats audit`, org admins): a page, newest first, filtered by person and action. */
import type { Filter } from 'mongodb';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { AuditDoc } from '../storage/types';
import { authorize } from './access';
import { getOrg } from './orgs';

export const AUDIT_PAGE_SIZE = 15;

export interface AuditQuery {
  page: number;
  /** Only this person's entries (their Slack user id). */
  userId?: string;
  /** Only this action. */
  action?: string;
}

/** One page of the audit log (`/ats audit`), newest first; `actions`: every action the log holds (for the filter). */
export interface AuditPage {
  entries: { at: Date; actorId: string; action: string; allowed: boolean; reason?: string; target?: Record<string, unknown> }[];
  page: number;
  hasMore: boolean;
  userId?: string;
  action?: string;
  actions: string[];
  zone: string;
}

export async function auditPage(deps: Deps, actor: Actor, q: AuditQuery): Promise<AuditPage> {
  await authorize(deps, actor, 'audit.view');
  const teamId = actor.teamId;
  const filter: Filter<AuditDoc> = { teamId, ...(q.userId ? { actorId: q.userId } : {}), ...(q.action ? { action: q.action } : {}) };
  const page = Math.max(0, Math.min(q.page, 10_000));
  const [rows, actions, org] = await Promise.all([
    deps.store.auditLog.find(filter, { sort: { at: -1, _id: -1 }, skip: page * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE + 1 }).toArray(),
    deps.store.auditLog.distinct('action', { teamId }),
    getOrg(deps, teamId),
  ]);
  return {
    entries: rows.slice(0, AUDIT_PAGE_SIZE).map((r) => ({
      at: r.at,
      actorId: r.actorId,
      action: r.action,
      allowed: r.allowed,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.target ? { target: r.target } : {}),
    })),
    page,
    hasMore: rows.length > AUDIT_PAGE_SIZE,
    ...(q.userId ? { userId: q.userId } : {}),
    ...(q.action ? { action: q.action } : {}),
    actions: (actions as string[])
      .filter((a) => typeof a === 'string')
      .sort()
      .slice(0, 100),
    zone: org.zone,
  };
}
