import type { Deps } from './deps';

export async function audit(
  deps: Pick<Deps, 'store' | 'clock'>,
  entry: { teamId: string; actorId: string; action: string; allowed: boolean; target?: Record<string, unknown>; reason?: string },
): Promise<void> {
  await deps.store.auditLog.insertOne({ ...entry, at: deps.clock() });
}
