/** commands/fan-in.ts: one Bolt listener per kind, handlers picked with Bolt's constraint semantics. */
import { describe, expect, it } from 'vitest';
import type { App } from '@slack/bolt';
import { fanIn } from '../../commands/fan-in';

type Registered = { kind: string; constraint: unknown; fn: (args: any) => Promise<void> };

/** A stand-in for Bolt's App that records what fanIn registers on it. */
function fakeBolt() {
  const registered: Registered[] = [];
  const reg = (kind: string) => (constraint: unknown, fn: Registered['fn']) => void registered.push({ kind, constraint, fn });
  const bolt = { command: reg('command'), event: reg('event'), view: reg('view'), action: reg('action'), options: reg('options'), client: { marker: 1 } };
  return { bolt: bolt as unknown as App, registered };
}

async function deliver(registered: Registered[], kind: string, body: Record<string, unknown>) {
  for (const r of registered.filter((x) => x.kind === kind)) {
    const c = r.constraint as { type?: string } | RegExp;
    if (kind === 'view' && !(c instanceof RegExp) && c.type !== body.type) continue;
    await r.fn({ body, ack: async () => undefined, next: async () => undefined });
  }
}

describe('fanIn', () => {
  it('registers one Bolt listener per kind in use and dispatches by constraint', async () => {
    const { bolt, registered } = fakeBolt();
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
    expect(registered).toHaveLength(0);
    fan.install();
    expect(registered.map((r) => r.kind).sort()).toEqual(['action', 'command', 'event', 'options', 'view', 'view']);

    await deliver(registered, 'command', { command: '/ats' });
    await deliver(registered, 'event', { event: { type: 'app_home_opened' } });
    await deliver(registered, 'view', { type: 'view_submission', view: { callback_id: 'roles_submit' } });
    await deliver(registered, 'view', { type: 'view_closed', view: { callback_id: 'roles_submit' } });
    await deliver(registered, 'view', { type: 'view_submission', view: { callback_id: 'mapping' } });
    await deliver(registered, 'view', { type: 'view_closed', view: { callback_id: 'mapping' } });
    await deliver(registered, 'action', { type: 'block_actions', actions: [{ action_id: 'acct:pause', block_id: 'z' }] });
    await deliver(registered, 'action', { type: 'block_actions', actions: [{ action_id: 'x', block_id: 'b2' }] });
    await deliver(registered, 'action', { type: 'block_actions', actions: [{ action_id: 'x', block_id: 'b1' }] });
    await deliver(registered, 'options', { type: 'block_suggestion', action_id: 'pick_job' });
    expect(calls).toEqual(['ats', 'home', 'roles', 'mapping closed', 'acct', 'x in b1', 'options']);
  });

  it('runs listener middleware in order, and the proxy forwards everything else to Bolt', async () => {
    const { bolt, registered } = fakeBolt();
    const fan = fanIn(bolt);
    const order: string[] = [];
    fan.app.command('/ats', async ({ next }) => { order.push('mw'); await next(); }, async () => void order.push('handler'));
    fan.install();
    await deliver(registered, 'command', { command: '/ats' });
    expect(order).toEqual(['mw', 'handler']);
    expect((fan.app.client as unknown as { marker: number }).marker).toBe(1);
  });

  it('a failing handler fails the delivery (Bolt then reports it), others still run', async () => {
    const { bolt, registered } = fakeBolt();
    const fan = fanIn(bolt);
    let other = false;
    fan.app.event('member_joined_channel', async () => { throw new Error('boom'); });
    fan.app.event('member_joined_channel', async () => { other = true; });
    fan.install();
    await expect(deliver(registered, 'event', { event: { type: 'member_joined_channel' } })).rejects.toThrow('boom');
    expect(other).toBe(true);
  });

  it('refuses a constraint it does not understand, at start-up', () => {
    const fan = fanIn(fakeBolt().bolt);
    expect(() => fan.app.view({ callback_id: 'a', external_id: 'b' } as never, async () => undefined)).toThrow(/unsupported view constraint/);
  });
});
