/** commands/lifecycle.ts: app_uninstalled and tokens_revoked forget the tokens, through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Installation } from '@slack/bolt';
import { mongoInstallationStore } from '../../../src/domain/installations';
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
});
