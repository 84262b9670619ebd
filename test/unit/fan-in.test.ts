/** commands/fan-in.ts: one global Bolt middleware dispatching to handlers picked with Bolt's constraint semantics. */
import { describe, expect, it } from 'vitest';
import type { App } from '@slack/bolt';
import { fanIn } from '../../commands/fan-in';

type Mw = (args: any) => Promise<void>;

/** A stand-in for Bolt's App that records what fanIn registers on it. */
function fakeBolt() {
  const listeners: string[] = [];
  const uses: Mw[] = [];
  const reg = (kind: string) => () => void listeners.push(kind);
  const bolt = {
    command: reg('command'), event: reg('event'), view: reg('view'), action: reg('action'), options: reg('options'),
    use: (mw: Mw) => void uses.push(mw), client: { marker: 1 },
  };
  return { bolt: bolt as unknown as App, listeners, uses };
}

/** What Bolt's processEvent hands global middleware: the body, and the payload under its kind's name. */
function boltArgs(body: Record<string, any>): Record<string, unknown> {
  if (body.command) return { command: body };
  if (body.event) return { event: body.event };
  if (body.type === 'block_actions') return { action: body.actions[0] };
  if (body.type === 'view_submission' || body.type === 'view_closed') return { view: body.view };
  if (body.type === 'block_suggestion') return { options: body };
  return {};
}

/** Delivers through the global middleware; resolves to whether it passed the request on (next). */
async function deliver(uses: Mw[], body: Record<string, unknown>): Promise<boolean> {
  let passed = false;
  for (const mw of uses) await mw({ body, ...boltArgs(body), ack: async () => undefined, next: async () => { passed = true; } });
  return passed;
}

describe('fanIn', () => {
  it('registers no Bolt listener but one global middleware, and dispatches by constraint', async () => {
    const { bolt, listeners, uses } = fakeBolt();
    const fan = fanIn(bolt);
    const calls: string[] = [];
    fan.app.command('/ats', async () => void calls.push('ats'));
    fan.app.command('/other', async () => void calls.push('other'));
    fan.app.event('app_home_opened', async () => void calls.push('home'));
    fan.app.event('app_uninstalled', async () => void calls.push('uninstalled'));
    fan.app.view('roles_submit', async () => void calls.push('roles'));
    fan.app.view({ callback_id: 'mapping', type: 'view_closed' }, async () => void calls.push('mapping closed'));
    fan.app.action('candidate_profile', async () => void calls.push('profile'));
    fan.app.action(/^acct:/, async () => void calls.push('acct'));
    fan.app.action({ action_id: 'x', block_id: 'b1' }, async () => void calls.push('x in b1'));
    fan.app.options('pick_job', async () => void calls.push('options'));
    expect(uses).toHaveLength(0);
    fan.install();
    expect(listeners).toEqual([]);
    expect(uses).toHaveLength(1);

    await deliver(uses, { command: '/ats' });
    await deliver(uses, { event: { type: 'app_home_opened' } });
    await deliver(uses, { type: 'view_submission', view: { callback_id: 'roles_submit' } });
    await deliver(uses, { type: 'view_closed', view: { callback_id: 'roles_submit' } });
    await deliver(uses, { type: 'view_submission', view: { callback_id: 'mapping' } });
    await deliver(uses, { type: 'view_closed', view: { callback_id: 'mapping' } });
    await deliver(uses, { type: 'block_actions', actions: [{ action_id: 'acct:pause', block_id: 'z' }] });
    await deliver(uses, { type: 'block_actions', actions: [{ action_id: 'x', block_id: 'b2' }] });
    await deliver(uses, { type: 'block_actions', actions: [{ action_id: 'x', block_id: 'b1' }] });
    await deliver(uses, { type: 'block_suggestion', action_id: 'pick_job' });
    expect(calls).toEqual(['ats', 'home', 'roles', 'mapping closed', 'acct', 'x in b1', 'options']);
  });

  it('a request none of its handlers takes goes on to Bolt (next), a handled one does not', async () => {
    const { bolt, uses } = fakeBolt();
    const fan = fanIn(bolt);
    fan.app.command('/ats', async () => undefined);
    fan.install();
    expect(await deliver(uses, { command: '/ats' })).toBe(false);
    expect(await deliver(uses, { command: '/other' })).toBe(true);
    expect(await deliver(uses, { type: 'shortcut', callback_id: 'x' })).toBe(true);
  });

  it('runs listener middleware in order, and the proxy forwards everything else to Bolt', async () => {
    const { bolt, uses } = fakeBolt();
    const fan = fanIn(bolt);
    const order: string[] = [];
    fan.app.command('/ats', async ({ next }) => { order.push('mw'); await next(); }, async () => void order.push('handler'));
    fan.install();
    await deliver(uses, { command: '/ats' });
    expect(order).toEqual(['mw', 'handler']);
    expect((fan.app.client as unknown as { marker: number }).marker).toBe(1);
  });

  it('a failing handler fails the delivery (Bolt then reports it), others still run', async () => {
    const { bolt, uses } = fakeBolt();
    const fan = fanIn(bolt);
    let other = false;
    fan.app.event('member_joined_channel', async () => { throw new Error('boom'); });
    fan.app.event('member_joined_channel', async () => { other = true; });
    fan.install();
    await expect(deliver(uses, { event: { type: 'member_joined_channel' } })).rejects.toThrow('boom');
    expect(other).toBe(true);
  });

  it('refuses a constraint it does not understand, at start-up', () => {
    const fan = fanIn(fakeBolt().bolt);
    expect(() => fan.app.view({ callback_id: 'a', external_id: 'b' } as never, async () => undefined)).toThrow(/unsupported view constraint/);
  });
});
