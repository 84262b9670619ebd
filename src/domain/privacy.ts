/**
 * Privacy on request (docs/architecture.md, "Privacy"): an org admin erases a candidate, and the
 * retention setting erases candidates closed more than N months ago.
 *
 * Erasing strips the candidate document of everything personal (name, search key, age, links —
 * the profile URL —, posting, import history, assignees) and keeps it as a tombstone: `medium`,
 * `fingerprint` (a keyed HMAC of the medium's id, never the id itself: `externalId` becomes
 * `erased:<_id>`), `appliedAt`, `erasedAt`, `erasedBy`. The candidate's cards (in the channel, in a
 * digest's thread, DM copies) are marked dirty, and the card poster replaces each with the neutral
 * "removed" card; a card not posted yet is never posted. Only cards carry candidates' names in
 * Slack: import notices and digests carry counts.
 *
 * Re-import: an applicant whose fingerprint matches a tombstone is skipped unless they applied
 * again — an application dated after the erased one. Wantedly gives each entry (application) its
 * own id, so a new entry never matches; the consoles' ids may be a person's, so a row with the
 * same id and a later applied-at time is a new application and comes back.
 *
 * Idempotent: the erase is one conditional update (`erasedAt` absent) that also marks the card
 * dirty; whoever loses the race (a double click, a retried job, a second instance) changes nothing
 * and writes no audit entry.
 */
import { createHmac } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { DateTime } from 'luxon';
import type { Deps } from './deps';
import type { Actor } from './permissions';
import type { CandidateDoc } from '../storage/types';
import type { Keyring } from '../security/crypto';
import { CLOSED_STAGES, type Medium } from '../vocabulary';
import { authorize } from './access';
import { audit } from './audit';
import { NotFoundError } from './errors';

/** Who erases by the retention setting (the audit log's actor). */
export const RETENTION_ACTOR = 'retention';
/** Retention settings accepted: 1 to 120 months. */
export const RETENTION_MAX_MONTHS = 120;

/**
 * The medium's id of an applicant, keyed-hashed (HMAC-SHA256, key derived by HKDF from each key of
 * the ring, the current key's first): what a tombstone keeps instead of the id.
 */
export function applicantFingerprints(keyring: Keyring, teamId: string, medium: Medium, externalId: string): string[] {
  return keyring
    .deriveKeys('applicant-fingerprint')
    .map((key) => createHmac('sha256', key).update(`${teamId}\u0000${medium}\u0000${externalId}`).digest('base64url'));
}

export interface EraseOutcome {
  /** false: it was erased already (a double click, a retry). */
  erased: boolean;
}

/** An org admin erases a candidate (`/ats candidate … → Erase`). */
export async function eraseCandidate(deps: Deps, actor: Actor, candidateId: string): Promise<EraseOutcome> {
  // org admins only, whoever the candidate is: refused before anything is looked up
  await authorize(deps, actor, 'candidates.erase', {}, { candidateId: candidateId.slice(0, 24) });
  if (!/^[a-f0-9]{24}$/.test(candidateId)) throw new NotFoundError('candidate.notFound', { query: candidateId });
  const c = await deps.store.candidates.findOne({ teamId: actor.teamId, _id: new ObjectId(candidateId) });
  if (!c) throw new NotFoundError('candidate.notFound', { query: candidateId });
  if (c.erasedAt) return { erased: false };
  const fingerprint = await eraseDoc(deps, c, actor.userId);
  if (!fingerprint) return { erased: false };
  await audit(deps, {
    teamId: actor.teamId,
    actorId: actor.userId,
    action: 'candidates.erase',
    allowed: true,
    target: { medium: c.medium, fingerprint },
  });
  return { erased: true };
}

/** Strips one candidate (the winner of the race gets the fingerprint, anyone else null) and replaces its cards. */
async function eraseDoc(deps: Deps, c: CandidateDoc, by: string): Promise<string | null> {
  const fingerprint = applicantFingerprints(deps.keyring, c.teamId, c.medium, c.externalId)[0];
  const res = await deps.store.candidates.updateOne(
    { teamId: c.teamId, _id: c._id, erasedAt: { $exists: false } },
    {
      $set: {
        externalId: `erased:${String(c._id)}`,
        name: '',
        searchKey: '',
        postingTitle: '',
        links: [],
        importHistory: [],
        assignees: [],
        jobId: null,
        fingerprint,
        erasedAt: deps.clock(),
        erasedBy: by,
      },
      $unset: { age: '', postingExternalId: '' },
      // in the same write: the card must show the change (after a crash here the card is still
      // dirty, and the one-minute card sweep wakes its poster)
      ...(c.card ? { $inc: { 'card.dirty': 1 } } : {}),
    },
  );
  if (!res.modifiedCount) return null;
  if (c.card) {
    // a card not posted yet is never posted; one in Slack (or being posted) becomes the removed card
    const dropped = await deps.store.candidates.updateOne(
      { teamId: c.teamId, _id: c._id, 'card.state': 'pending' },
      { $unset: { card: '' } },
    );
    if (!dropped.modifiedCount && c.card.jobId) await deps.cardJobs.wake(c.teamId, String(c.card.jobId));
  }
  return fingerprint;
}

/**
 * The applicants of a batch an import must skip: erased, and not applied again since (applied at
 * or before the latest erased application with their fingerprint). Returns their external ids.
 */
export async function erasedApplicants(
  deps: Pick<Deps, 'store' | 'keyring'>,
  teamId: string,
  medium: Medium,
  applicants: { externalId: string; appliedAt: string }[],
): Promise<Set<string>> {
  if (applicants.length === 0) return new Set();
  const idOf = new Map<string, string>();
  for (const a of applicants)
    for (const fp of applicantFingerprints(deps.keyring, teamId, medium, a.externalId)) idOf.set(fp, a.externalId);
  const tombstones = await deps.store.candidates
    .find({ teamId, medium, fingerprint: { $in: [...idOf.keys()] } }, { projection: { fingerprint: 1, appliedAt: 1 } })
    .toArray();
  const latest = new Map<string, number>();
  for (const t of tombstones) {
    const id = idOf.get(t.fingerprint!);
    if (id !== undefined) latest.set(id, Math.max(latest.get(id) ?? Number.NEGATIVE_INFINITY, t.appliedAt.getTime()));
  }
  const skip = new Set<string>();
  for (const a of applicants) {
    const erasedAt = latest.get(a.externalId);
    if (erasedAt !== undefined && new Date(a.appliedAt).getTime() <= erasedAt) skip.add(a.externalId);
  }
  return skip;
}

/**
 * The retention setting, for every org that has it on (and is installed): candidates in a closed
 * stage since more than `retentionMonths` months (counted in the org's zone) are erased, in
 * batches, and each org that had any gets one summary entry in its audit log. Candidates closed
 * before `closedAt` was recorded are counted from the first run that sees them. Safe to run twice
 * at once (each erase is conditional); `now` from the deps' clock.
 */
export async function runRetention(deps: Deps, now = deps.clock()): Promise<{ orgs: number; erased: number }> {
  const orgs = await deps.store.orgs
    .find({ 'settings.retentionMonths': { $gte: 1 }, uninstalledAt: { $exists: false } }, { projection: { zone: 1, settings: 1 } })
    .toArray();
  let total = 0;
  for (const org of orgs) {
    const months = org.settings.retentionMonths!;
    const teamId = org._id;
    const closed = { teamId, stage: { $in: [...CLOSED_STAGES] }, erasedAt: { $exists: false } };
    await deps.store.candidates.updateMany({ ...closed, closedAt: { $exists: false } }, { $set: { closedAt: now } });
    const cutoff = DateTime.fromJSDate(now, { zone: org.zone }).minus({ months }).toJSDate();
    let erased = 0;
    for (;;) {
      const batch = await deps.store.candidates
        .find({ ...closed, closedAt: { $lt: cutoff } })
        .limit(200)
        .toArray();
      if (batch.length === 0) break;
      for (const c of batch) if (await eraseDoc(deps, c, RETENTION_ACTOR)) erased++;
    }
    if (erased > 0) {
      await audit(deps, {
        teamId,
        actorId: RETENTION_ACTOR,
        action: 'privacy.retention',
        allowed: true,
        target: { months, erased, closedBefore: cutoff.toISOString() },
      });
      deps.logger.info({ teamId, months, erased }, 'retention: closed candidates erased');
    }
    total += erased;
  }
  return { orgs: orgs.length, erased: total };
}
