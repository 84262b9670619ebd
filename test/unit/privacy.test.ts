/**
 * src/domain/privacy.ts and src/domain/org-purge.ts on the embedded MongoDB, with a fake clock:
 * retention run twice at once (two instances) erases each candidate once; the months are counted
 * in the org's zone; the purge run twice at once deletes once and spares installed orgs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnitDeps, type UnitDeps } from '../helpers/deps';
import { seedImport } from '../helpers/candidates';
import type { Harness } from '../helpers/app';
import { applicantFingerprints, runRetention } from '../../src/domain/privacy';
import { markUninstalled, purgeDueOrgs } from '../../src/domain/org-purge';
import { parseRetention } from '../../src/domain/settings';
import { ensureOrg } from '../../src/domain/orgs';
import { Keyring } from '../../src/security/crypto';

const T = 'T0UPRIV';
let u: UnitDeps;
const harness = () => ({ app: { deps: u.deps } }) as unknown as Harness;

beforeAll(async () => {
  u = await startUnitDeps('u_privacy');
});
afterAll(() => u?.close());

describe('retention', () => {
  it('two runs at once erase each closed candidate once; the summaries add up', async () => {
    await ensureOrg(u.deps, T);
    await u.deps.store.orgs.updateOne({ _id: T }, { $set: { 'settings.retentionMonths': 3 } });
    const seeded = await seedImport(harness(), T, 'green', { externalId: 'g-ret', title: 'Ops' }, 30, { route: false });
    const longAgo = new Date('2026-01-15T00:00:00Z');
    await u.deps.store.candidates.updateMany(
      { _id: { $in: seeded.slice(0, 20).map((c) => c._id!) } },
      { $set: { stage: 'rejected', closedAt: longAgo } },
    );
    // closed, but only two months before the run; and open ones
    await u.deps.store.candidates.updateMany(
      { _id: { $in: seeded.slice(20, 25).map((c) => c._id!) } },
      { $set: { stage: 'hired', closedAt: new Date('2026-03-01T00:00:00Z') } },
    );
    const now = new Date('2026-05-01T00:00:00Z');
    const [a, b] = await Promise.all([runRetention(u.deps, now), runRetention(u.deps, now)]);
    expect(a.erased + b.erased).toBe(20);
    expect(await u.deps.store.candidates.countDocuments({ teamId: T, erasedBy: 'retention' })).toBe(20);
    const summaries = await u.deps.store.auditLog.find({ teamId: T, action: 'privacy.retention' }).toArray();
    expect(summaries.reduce((n, s) => n + (s.target!.erased as number), 0)).toBe(20);
    expect(await runRetention(u.deps, now)).toEqual({ orgs: 1, erased: 0 });
  });

  it('counts months in the org zone: closed at the very start of a month is N months old at its start in that zone', async () => {
    const T2 = 'T0UPRIV2';
    await ensureOrg(u.deps, T2);
    await u.deps.store.orgs.updateOne({ _id: T2 }, { $set: { zone: 'Asia/Tokyo', 'settings.retentionMonths': 1 } });
    const [c] = await seedImport(harness(), T2, 'green', { externalId: 'g-ret2', title: 'Ops' }, 1, { route: false });
    // 2026-03-31 16:00 UTC = 2026-04-01 01:00 in Tokyo
    await u.deps.store.candidates.updateOne({ _id: c._id }, { $set: { stage: 'withdrawn', closedAt: new Date('2026-03-31T16:00:00Z') } });
    // 2026-05-01 00:30 in Tokyo: one month back is 2026-04-01 00:30, before the close
    expect((await runRetention(u.deps, new Date('2026-04-30T15:30:00Z'))).erased).toBe(0);
    // 2026-05-01 01:30 in Tokyo: one month back is 01:30, after it
    expect((await runRetention(u.deps, new Date('2026-04-30T16:30:00Z'))).erased).toBe(1);
  });

  it('the setting as typed', () => {
    expect(['', ' ', '0', '1', '１２', '120', '121', '1.5', 'x', '-3'].map(parseRetention)).toEqual([
      null,
      null,
      null,
      1,
      12,
      120,
      'invalid',
      'invalid',
      'invalid',
      'invalid',
    ]);
  });
});

describe('fingerprints', () => {
  it('are keyed: another key, team, medium or id gives another one; older keys of the ring are tried too', () => {
    const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
    const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };
    const [fp] = applicantFingerprints(new Keyring([k1]), T, 'green', 'id-1');
    expect(fp).not.toContain('id-1');
    expect(applicantFingerprints(new Keyring([k2, k1]), T, 'green', 'id-1')).toEqual([expect.not.stringMatching(fp), fp]);
    for (const other of [
      applicantFingerprints(new Keyring([k1]), 'T0OTHER', 'green', 'id-1')[0],
      applicantFingerprints(new Keyring([k1]), T, 'bizreach', 'id-1')[0],
      applicantFingerprints(new Keyring([k1]), T, 'green', 'id-2')[0],
    ])
      expect(other).not.toBe(fp);
  });
});

describe('purge after uninstall', () => {
  it('two runs at once purge a due org once; an org installed again (or not due) is kept', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') };
    const deps = { ...u.deps, clock: () => clock.now };
    for (const team of ['T0UPURGE1', 'T0UPURGE2', 'T0UPURGE3']) {
      await ensureOrg(deps, team);
      await seedImport(harness(), team, 'green', { externalId: `g-${team}`, title: 'Ops' }, 2, { route: false });
      await markUninstalled(deps, team);
    }
    await u.deps.store.installations.insertOne({
      _id: 'T0UPURGE2',
      teamId: 'T0UPURGE2',
      encrypted: 'x',
      installedAt: clock.now,
      updatedAt: clock.now,
    });
    clock.now = new Date('2026-07-02T00:00:00Z');
    await u.deps.store.orgs.updateOne({ _id: 'T0UPURGE3' }, { $set: { purgeAfter: new Date('2026-08-01T00:00:00Z') } });
    const [a, b] = await Promise.all([purgeDueOrgs(deps), purgeDueOrgs(deps)]);
    expect([...a, ...b].filter((t) => t === 'T0UPURGE1').length).toBeGreaterThanOrEqual(1);
    expect(await u.deps.store.candidates.countDocuments({ teamId: 'T0UPURGE1' })).toBe(0);
    expect(await u.deps.store.orgs.findOne({ _id: 'T0UPURGE1' })).toBeNull();
    // installed again: kept, its mark gone; not yet due: kept, still marked
    expect(await u.deps.store.candidates.countDocuments({ teamId: 'T0UPURGE2' })).toBe(2);
    expect(await u.deps.store.orgs.findOne({ _id: 'T0UPURGE2' })).not.toHaveProperty('purgeAfter');
    expect(await u.deps.store.candidates.countDocuments({ teamId: 'T0UPURGE3' })).toBe(2);
    expect(u.jobs).toContain('forgetCards T0UPURGE1');
    expect(u.jobs).not.toContain('forgetCards T0UPURGE2');
  });
});
