/**
 * Bolt's InstallationStore on MongoDB. The whole installation (tokens included) is one AES-256-GCM
 * value bound to its id; only ids needed for lookups are stored in clear. The installer becomes the
 * org's first admin. `removeInstallation` serves app_uninstalled and tokens_revoked.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Deps } from './deps';
import { ensureOrg } from './orgs';
import { setOrgRoleUnchecked } from './members';
import { installationAad } from '../security/aad';
import { cancelPurge } from './org-purge';

/**
 * Bolt authorizes every incoming request with fetchInstallation: a MongoDB read and a decryption on
 * the path of every ack (the bulk of the ack time under load, see bench/slack.bench.ts). The decrypted
 * installation is kept for a short while per store; storing or removing an installation in this
 * process forgets it at once, and another process's change is seen within CACHE_TTL_MS.
 */
const CACHE_TTL_MS = 30_000;
type Cached = { at: number; value: Promise<Installation> };
const caches = new WeakMap<object, Map<string, Cached>>();
function cacheOf(deps: Pick<Deps, 'store'>): Map<string, Cached> {
  let c = caches.get(deps.store);
  if (!c) caches.set(deps.store, (c = new Map()));
  return c;
}
function forgetCached(deps: Pick<Deps, 'store'>, teamId: string) {
  const c = cacheOf(deps);
  c.delete(teamId);
  for (const [id, v] of c) {
    void v.value.then(
      (inst) => inst.team?.id === teamId && c.get(id) === v && c.delete(id),
      () => undefined,
    );
  }
}

function keyOf(q: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return q.enterpriseId;
  if (!q.teamId) throw new Error('installation query without team id');
  return q.teamId;
}

export function mongoInstallationStore(
  deps: Deps,
  onInstalled?: (teamId: string, userId: string) => Promise<void>,
  /** After every store (a reinstall may bring a new token): drop clients built on the old one. */
  onStored?: (teamId: string) => void,
): InstallationStore {
  return {
    async storeInstallation(installation: Installation) {
      const id = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      const teamId = installation.team?.id ?? id;
      const now = deps.clock();
      cacheOf(deps).delete(id);
      await deps.store.installations.updateOne(
        { _id: id },
        {
          $set: {
            teamId,
            enterpriseId: installation.enterprise?.id,
            botUserId: installation.bot?.userId,
            installedBy: installation.user.id,
            encrypted: deps.keyring.encryptJson(installation, installationAad(id)),
            updatedAt: now,
          },
          $setOnInsert: { installedAt: now },
        },
        { upsert: true },
      );
      cacheOf(deps).delete(id);
      onStored?.(teamId);
      await ensureOrg(deps, teamId);
      await cancelPurge(deps, teamId); // a reinstall within the grace period keeps the org's data
      const admins = await deps.store.members.countDocuments({ teamId, orgRole: 'org_admin' }, { limit: 1 });
      if (!admins) {
        await setOrgRoleUnchecked(deps, teamId, installation.user.id, 'org_admin', 'installer');
        await onInstalled?.(teamId, installation.user.id);
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const id = keyOf(query);
      const cache = cacheOf(deps);
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;
      const value = (async () => {
        const doc = await deps.store.installations.findOne({ _id: id });
        if (!doc) throw new Error(`no installation for ${id}`);
        return deps.keyring.decryptJson<Installation>(doc.encrypted, installationAad(id));
      })();
      const entry = { at: Date.now(), value };
      cache.set(id, entry);
      // failures (not installed, a database error) are not kept
      value.catch(() => cache.get(id) === entry && cache.delete(id));
      return value;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const id = keyOf(query);
      cacheOf(deps).delete(id);
      await deps.store.installations.deleteOne({ _id: id });
      cacheOf(deps).delete(id);
    },
  };
}

/**
 * app_uninstalled, or the bot token revoked: forget the tokens at once (the org's data is purged
 * after the grace period, src/domain/org-purge.ts, unless the app is reinstalled).
 */
export async function removeInstallation(deps: Deps, teamId: string): Promise<void> {
  forgetCached(deps, teamId);
  await deps.store.installations.deleteMany({ $or: [{ _id: teamId }, { teamId }] });
  forgetCached(deps, teamId);
  deps.logger.info({ teamId }, 'installation removed');
}

/** tokens_revoked with only user tokens: drop the user token from the stored installation. */
export async function removeUserTokens(deps: Deps, teamId: string, userIds: string[]): Promise<void> {
  const doc = await deps.store.installations.findOne({ _id: teamId });
  if (!doc) return;
  const inst = deps.keyring.decryptJson<Installation>(doc.encrypted, installationAad(teamId));
  if (!userIds.includes(inst.user.id)) return;
  inst.user = { id: inst.user.id, token: undefined, scopes: undefined };
  await deps.store.installations.updateOne(
    { _id: teamId },
    { $set: { encrypted: deps.keyring.encryptJson(inst, installationAad(teamId)), updatedAt: deps.clock() } },
  );
  forgetCached(deps, teamId);
}
