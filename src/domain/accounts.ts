/**
 * Media accounts: link, re-enter credentials, pause, resume, unlink, and the credentials check.
 * Only org admins change anything (authorize); credentials are encrypted with AAD bound to the
 * account and never leave this module except to the connector.
 */
import { ObjectId } from 'mongodb';
import type { Credentials } from '../../connectors/types';
import { MEDIUM_FIELDS, type Medium } from '../vocabulary';
import { AuthError, ServiceError } from '../../connectors/types';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { MediaAccountDoc } from '../storage/types';
import { authorize } from './access';
import { audit } from './audit';
import { DomainError, NotFoundError, ValidationError } from './errors';
import { isDuplicateKey } from '../storage/db';
import { credentialFingerprints, credentialsAad } from './credentials';
import { backoffMs, onScheduleClock } from './import-schedule';
import { connectorFor } from './connector-context';

export const accountRef = (a: Pick<MediaAccountDoc, '_id' | 'teamId' | 'medium'>) => ({
  id: String(a._id),
  teamId: a.teamId,
  medium: a.medium,
});

export async function getAccount(deps: Deps, teamId: string, accountId: string): Promise<MediaAccountDoc> {
  if (!ObjectId.isValid(accountId)) throw new NotFoundError('accounts.notFound');
  const doc = await deps.store.mediaAccounts.findOne({ _id: new ObjectId(accountId), teamId });
  if (!doc) throw new NotFoundError('accounts.notFound');
  return doc;
}

export async function linkAccount(
  deps: Deps,
  actor: Actor,
  input: { medium: Medium; label?: string; credentials: Credentials; requestId: string; defaultLabel?: (n: number) => string },
): Promise<{ account: MediaAccountDoc; created: boolean }> {
  await authorize(deps, actor, 'accounts.manage', {}, { medium: input.medium });
  const { teamId } = actor;
  const replay = await deps.store.mediaAccounts.findOne({ teamId, requestId: input.requestId });
  if (replay) return { account: replay, created: false };

  const [fingerprint, ...older] = credentialFingerprints(deps.keyring, teamId, input.credentials);
  await refuseLinkedUnderOlderKey(deps, teamId, input.medium, older);
  const _id = new ObjectId();
  const now = deps.clock();
  const count = await deps.store.mediaAccounts.countDocuments({ teamId, medium: input.medium });
  const doc: MediaAccountDoc = {
    _id,
    teamId,
    medium: input.medium,
    label: input.label ?? input.defaultLabel?.(count + 1) ?? `${input.medium} ${count + 1}`,
    credentials: deps.keyring.encryptJson(input.credentials, credentialsAad(teamId, String(_id))),
    credentialFingerprint: fingerprint,
    state: 'authenticating',
    paused: false,
    linkedBy: actor.userId,
    requestId: input.requestId,
    cursor: null,
    firstImportDone: false,
    failures: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.store.mediaAccounts.insertOne(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const again = await deps.store.mediaAccounts.findOne({ teamId, requestId: input.requestId });
    if (again) return { account: again, created: false };
    throw duplicateLogin(input.medium, await accountWithLogin(deps, teamId, input.medium, [fingerprint, ...older]));
  }
  await audit(deps, {
    teamId,
    actorId: actor.userId,
    action: 'accounts.link',
    allowed: true,
    target: { accountId: String(_id), medium: input.medium },
  });
  await deps.accountJobs.checkAuth(accountRef(doc));
  return { account: doc, created: true };
}

/** The account (other than `except`) that already has one of these login fingerprints. */
function accountWithLogin(deps: Deps, teamId: string, medium: Medium, fingerprints: string[], except?: ObjectId) {
  return deps.store.mediaAccounts.findOne(
    { teamId, medium, credentialFingerprint: { $in: fingerprints }, ...(except ? { _id: { $ne: except } } : {}) },
    { projection: { label: 1 } },
  );
}

/**
 * Under the login field of the link modal (the e-mail, company ID, user ID or API key — the part
 * that is the same), naming the account that already has it so the admin can find it in
 * /ats accounts (to re-enter its password there, say) instead of guessing.
 */
function duplicateLogin(medium: Medium, clash: { label: string } | null): ValidationError {
  const field = MEDIUM_FIELDS[medium][0];
  return new ValidationError({
    [field]: clash ? { key: 'link.errors.duplicateOf', vars: { label: clash.label } } : { key: 'link.errors.duplicate' },
  });
}

/**
 * The unique index refuses a login linked twice under the current key; a login linked before a key
 * rotation has its fingerprint under an older key until the rotation renews it: refused here.
 */
async function refuseLinkedUnderOlderKey(deps: Deps, teamId: string, medium: Medium, older: string[], except?: ObjectId) {
  if (older.length === 0) return;
  const clash = await accountWithLogin(deps, teamId, medium, older, except);
  if (clash) throw duplicateLogin(medium, clash);
}

export async function reenterCredentials(
  deps: Deps,
  actor: Actor,
  input: { accountId: string; credentials: Credentials; label?: string },
): Promise<MediaAccountDoc> {
  await authorize(deps, actor, 'accounts.manage', {}, { accountId: input.accountId });
  const account = await getAccount(deps, actor.teamId, input.accountId);
  if (account.medium !== input.credentials.medium) throw new DomainError('common.invalidInput', { detail: 'medium' });
  const [fingerprint, ...older] = credentialFingerprints(deps.keyring, actor.teamId, input.credentials);
  await refuseLinkedUnderOlderKey(deps, actor.teamId, account.medium, older, account._id);
  try {
    await deps.store.mediaAccounts.updateOne(
      { _id: account._id, teamId: actor.teamId },
      {
        $set: {
          credentials: deps.keyring.encryptJson(input.credentials, credentialsAad(actor.teamId, String(account._id))),
          credentialFingerprint: fingerprint,
          state: 'authenticating',
          failures: 0,
          linkedBy: actor.userId,
          updatedAt: deps.clock(),
          ...(input.label ? { label: input.label } : {}),
        },
        $unset: { lastError: '' },
      },
    );
  } catch (err) {
    if (isDuplicateKey(err))
      throw duplicateLogin(
        account.medium,
        await accountWithLogin(deps, actor.teamId, account.medium, [fingerprint, ...older], account._id),
      );
    throw err;
  }
  // only once the new credentials are stored: a refused re-enter leaves the account importing as before
  await deps.accountJobs.disableImport(String(account._id));
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'accounts.reenter',
    allowed: true,
    target: { accountId: input.accountId },
  });
  await deps.accountJobs.checkAuth(accountRef(account));
  return account;
}

export async function setPaused(deps: Deps, actor: Actor, accountId: string, paused: boolean): Promise<MediaAccountDoc> {
  await authorize(deps, actor, 'accounts.manage', {}, { accountId });
  const account = await getAccount(deps, actor.teamId, accountId);
  if (account.state !== 'linked' && account.state !== 'system_error') throw new DomainError('accounts.notPausable');
  if (account.paused !== paused) {
    await deps.store.mediaAccounts.updateOne({ _id: account._id, teamId: actor.teamId }, { $set: { paused, updatedAt: deps.clock() } });
    if (paused) await deps.accountJobs.disableImport(accountId);
    else await deps.accountJobs.scheduleImport(accountRef(account));
    await audit(deps, {
      teamId: actor.teamId,
      actorId: actor.userId,
      action: paused ? 'accounts.pause' : 'accounts.resume',
      allowed: true,
      target: { accountId },
    });
  }
  return { ...account, paused };
}

/** Deletes the account and its credentials; candidates already imported stay. */
export async function unlinkAccount(deps: Deps, actor: Actor, accountId: string): Promise<MediaAccountDoc> {
  await authorize(deps, actor, 'accounts.manage', {}, { accountId });
  const account = await getAccount(deps, actor.teamId, accountId);
  await deps.accountJobs.removeAll(accountId);
  await deps.store.mediaAccounts.deleteOne({ _id: account._id, teamId: actor.teamId });
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'accounts.unlink',
    allowed: true,
    target: { accountId, medium: account.medium },
  });
  return account;
}

export function decryptCredentials(deps: Deps, account: MediaAccountDoc): Credentials {
  return deps.keyring.decryptJson<Credentials>(account.credentials, credentialsAad(account.teamId, String(account._id)));
}

export type AuthCheckOutcome =
  | { state: 'linked' }
  | { state: 'auth_failed'; reason: string }
  | { state: 'system_error'; reason: string; retryAt: Date }
  | { state: 'gone' };

/** The credentials check (an Agenda job). Moves the account to linked / auth_failed / system_error. */
export async function checkCredentials(deps: Deps, teamId: string, accountId: string): Promise<AuthCheckOutcome> {
  const account = await deps.store.mediaAccounts.findOne({ _id: new ObjectId(accountId), teamId });
  if (!account || (account.state !== 'authenticating' && account.state !== 'system_error')) return { state: 'gone' };
  const { connector, ctx } = connectorFor(deps, account.medium);
  const now = () => deps.clock();
  let outcome: AuthCheckOutcome;
  try {
    await connector.authenticate(decryptCredentials(deps, account), ctx);
    outcome = { state: 'linked' };
  } catch (err) {
    if (err instanceof AuthError) outcome = { state: 'auth_failed', reason: `auth:${err.reason}` };
    else {
      const reason = err instanceof ServiceError ? `service:${err.reason}` : 'service:internal';
      if (!(err instanceof ServiceError)) deps.logger.error({ err, accountId }, 'credentials check failed unexpectedly');
      const failures = account.failures + 1;
      const wait = Math.max(backoffMs(failures), err instanceof ServiceError ? (err.retryAfterMs ?? 0) : 0);
      outcome = { state: 'system_error', reason, retryAt: onScheduleClock(deps.config, now(), (t) => new Date(t.getTime() + wait)) };
    }
  }
  // Only act if nobody changed the account meanwhile (re-entered, unlinked).
  const filter = { _id: account._id, teamId, credentials: account.credentials };
  if (outcome.state === 'linked') {
    const res = await deps.store.mediaAccounts.updateOne(filter, {
      $set: { state: 'linked', failures: 0, updatedAt: now() },
      $unset: { lastError: '' },
    });
    if (!res.matchedCount) return { state: 'gone' };
    await deps.accountJobs.scheduleImport(accountRef(account));
    await deps.notifier.linkResult(teamId, account.linkedBy, {
      medium: account.medium,
      label: account.label,
      outcome: account.state === 'system_error' ? 'recovered' : 'linked',
    });
  } else if (outcome.state === 'auth_failed') {
    const res = await deps.store.mediaAccounts.updateOne(filter, {
      $set: { state: 'auth_failed', updatedAt: now(), lastError: { reason: outcome.reason, at: now(), notified: true } },
    });
    if (!res.matchedCount) return { state: 'gone' };
    await deps.accountJobs.disableImport(accountId);
    await deps.notifier.linkResult(teamId, account.linkedBy, {
      medium: account.medium,
      label: account.label,
      outcome: 'auth_failed',
      reason: outcome.reason,
    });
  } else if (outcome.state === 'system_error') {
    const notified = account.lastError?.notified ?? false;
    const res = await deps.store.mediaAccounts.updateOne(filter, {
      $set: { state: 'system_error', updatedAt: now(), lastError: { reason: outcome.reason, at: now(), notified: true } },
      $inc: { failures: 1 },
    });
    if (!res.matchedCount) return { state: 'gone' };
    if (!notified) {
      await deps.notifier.linkResult(teamId, account.linkedBy, {
        medium: account.medium,
        label: account.label,
        outcome: 'system_error',
        reason: outcome.reason,
      });
    }
    // the job processor reschedules itself at outcome.retryAt (see src/jobs/account-jobs.ts)
  }
  return outcome;
}
