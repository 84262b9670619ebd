/**
 * commands/lifecycle.ts: app_uninstalled and tokens_revoked forget the tokens and mark the org for
 * the purge after the grace period, through Bolt.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Installation } from '@slack/bolt';
import { mongoInstallationStore } from '../../../src/domain/installations';
import { PURGE_GRACE_DAYS } from '../../../src/domain/org-purge';
import { startUnitDeps, type UnitDeps } from '../../helpers/deps';
import { startBolt, type BoltHarness } from '../../helpers/bolt';

let u: UnitDeps;
let bolt: BoltHarness;
const forgotten: string[] = [];

async function install(teamId: string) {
  const installation: Installation<'v2', false> = {
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: `U${teamId}`, token: `xoxp-${teamId}`, scopes: ['identify'] },
    bot: { token: `xoxb-${teamId}`, scopes: ['commands'], id: 'B0', userId: 'U0UNITBOT' },
    tokenType: 'bot',
    isEnterpriseInstall: false,
    appId: 'A0UNIT',
    authVersion: 'v2',
  };
  await mongoInstallationStore(u.deps).storeInstallation(installation);
}
const installed = (teamId: string) => u.deps.store.installations.countDocuments({ _id: teamId });

beforeAll(async () => {
  u = await startUnitDeps('h_lifecycle');
  bolt = startBolt(u.deps, (teamId) => void forgotten.push(teamId));
});
afterAll(() => u?.close());
beforeEach(() => void (forgotten.length = 0));

describe('install lifecycle', () => {
  it('app_uninstalled removes the installation and drops the cached client', async () => {
    await install('T0LIFE1');
    expect(await installed('T0LIFE1')).toBe(1);
    const d = await bolt.event('T0LIFE1', { type: 'app_uninstalled' });
    expect(d.acks).toEqual([undefined]);
    expect(await installed('T0LIFE1')).toBe(0);
    expect(forgotten).toEqual(['T0LIFE1']);
  });

  it('tokens_revoked with the bot token does the same; with only user tokens keeps the installation', async () => {
    await install('T0LIFE2');
    await install('T0LIFE3');
    await bolt.event('T0LIFE2', { type: 'tokens_revoked', tokens: { bot: ['U0UNITBOT'] } });
    await bolt.event('T0LIFE3', { type: 'tokens_revoked', tokens: { oauth: ['UT0LIFE3'] } });
    expect(await installed('T0LIFE2')).toBe(0);
    expect(await installed('T0LIFE3')).toBe(1);
    expect(forgotten).toEqual(['T0LIFE2']);
  });

  it('marks the org for the purge once (the first dates stay); a reinstall cancels it', async () => {
    await install('T0LIFE4');
    await bolt.event('T0LIFE4', { type: 'app_uninstalled' });
    const org = (await u.deps.store.orgs.findOne({ _id: 'T0LIFE4' }))!;
    expect(org.purgeAfter!.getTime() - org.uninstalledAt!.getTime()).toBe(PURGE_GRACE_DAYS * 24 * 3600_000);
    // the tokens_revoked that comes with it keeps the first date
    await bolt.event('T0LIFE4', { type: 'tokens_revoked', tokens: { bot: ['U0UNITBOT'] } });
    expect((await u.deps.store.orgs.findOne({ _id: 'T0LIFE4' }))!.purgeAfter).toEqual(org.purgeAfter);
    await install('T0LIFE4');
    const back = (await u.deps.store.orgs.findOne({ _id: 'T0LIFE4' }))!;
    expect(back.purgeAfter).toBeUndefined();
    expect(back.uninstalledAt).toBeUndefined();
  });

  it('user tokens revoked alone mark nothing', async () => {
    await install('T0LIFE5');
    await bolt.event('T0LIFE5', { type: 'tokens_revoked', tokens: { oauth: ['UT0LIFE5'] } });
    expect((await u.deps.store.orgs.findOne({ _id: 'T0LIFE5' }))!.purgeAfter).toBeUndefined();
  });
});
