/** commands/settings.ts: `/ats settings` and the settings modal (set:save), through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

const T = 'T0HSET';
const ADMIN = 'U0HSETADMIN';
const MEMBER = 'U0HSETMEMBER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

const org = () => u.deps.store.orgs.findOne({ _id: T });
const save = (userId: string, values: Record<string, string>) => bolt.submit({ teamId: T, userId, callbackId: 'set:save', values });

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_settings', T, { admins: [ADMIN], others: [MEMBER] }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats settings', () => {
  it('opens the settings modal with the org’s zone and card setting', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'settings' });
    const view = bolt.client.to('views.open')[0].args.view;
    expect(view.callback_id).toBe('set:save');
    expect(JSON.stringify(view)).toContain('"initial_value":"Asia/Tokyo"');
  });

  it('is refused to someone who is no org admin', async () => {
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'settings' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded[0].body.text).toBe(t('common.refused', { action: t('actions.settings_manage') }));
  });
});

describe('the settings modal (set:save)', () => {
  it('saves the zone by its canonical name and private cards, acks, and says so by DM', async () => {
    const d = await save(ADMIN, { zone: ' europe/paris ', cards: 'private' });
    expect(d.acks).toEqual([undefined]);
    expect(await org()).toMatchObject({ zone: 'Europe/Paris', settings: { privateCards: true } });
    expect(bolt.client.to('chat.postMessage').map((c) => [c.args.channel, c.args.text])).toEqual([[ADMIN, t('settings.saved')]]);
  });

  it('a zone that does not exist is answered under the zone field, nothing saved', async () => {
    expect((await save(ADMIN, { zone: 'Mars/Olympus', cards: 'standard' })).acked).toEqual({
      response_action: 'errors',
      errors: { zone: t('settings.badZone') },
    });
    expect(await org()).toMatchObject({ zone: 'Europe/Paris', settings: { privateCards: true } });
  });

  it('a crafted submission by a member closes the modal and is refused by DM', async () => {
    const d = await save(MEMBER, { zone: 'UTC', cards: 'standard' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.client.to('chat.postMessage').map((c) => [c.args.channel, c.args.text])).toEqual([
      [MEMBER, t('common.refused', { action: t('actions.settings_manage') })],
    ]);
    expect((await org())?.zone).toBe('Europe/Paris');
  });

  it('an unexpected failure closes the modal and gives a reference, never the error itself', async () => {
    const failing = vi.spyOn(u.deps.store.orgs, 'findOneAndUpdate').mockRejectedValueOnce(new Error('disk on fire'));
    const d = await save(ADMIN, { zone: 'UTC', cards: 'standard' });
    failing.mockRestore();
    expect(d.acks).toEqual([undefined]);
    const [text] = bolt.client.to('chat.postMessage').map((c) => c.args.text as string);
    const ref = /\b([0-9A-F]{8})\b/.exec(text)?.[1];
    expect(text).toBe(t('common.error', { ref }));
    expect(text).not.toContain('disk on fire');
    expect(u.logs.find((l) => l.msg === 'handler failed' && l.ref === ref)).toMatchObject({ level: 50 });
  });
});
