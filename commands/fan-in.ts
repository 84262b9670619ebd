/**
 * Bolt runs every registered listener's middleware chain for every incoming request (each step a
 * spread of the whole argument object, then a matcher that says no): with a dozen listeners that was
 * the largest part of hire-relay's ack time over a bare Bolt app (bench/slack.bench.ts). `fanIn`
 * collects the app's listeners instead and dispatches from one global middleware, the last one,
 * that picks the matching handlers from a table by kind (command, event, view, action, options).
 * Even one Bolt listener per kind cost six chains per request; now there are none, and a request
 * nothing here handles goes on to Bolt's own listeners (`next()`), as before.
 *
 * Matching follows Bolt's for the constraint forms used here: a string or RegExp (command name, event
 * type, view callback_id with type view_submission, action_id, options action_id) or a constraint
 * object ({ callback_id, type } for views; { action_id, block_id, callback_id, type } for actions and
 * options). Anything else fails at start-up, loudly.
 */
import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';

type Kind = 'command' | 'event' | 'view' | 'action' | 'options';
type Pattern = string | RegExp;
type Fn = (args: any) => Promise<void> | void; // eslint-disable-line @typescript-eslint/no-explicit-any
type Entry = { match: (body: any) => boolean; chain: Fn[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

const test = (p: Pattern | undefined, v: unknown) =>
  p === undefined || (typeof v === 'string' && (typeof p === 'string' ? p === v : p.test(v)));

function isPattern(c: unknown): c is Pattern {
  return typeof c === 'string' || c instanceof RegExp;
}

function matcher(kind: Kind, c: unknown): (body: any) => boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
  const o = (isPattern(c) ? undefined : c) as Record<string, unknown> | undefined;
  const allowed = (keys: string[]) => {
    if (o && (typeof o !== 'object' || Object.keys(o).some((k) => !keys.includes(k)))) {
      throw new Error(`fanIn: unsupported ${kind} constraint ${JSON.stringify(o)}`);
    }
  };
  switch (kind) {
    case 'command':
      if (!isPattern(c)) throw new Error('fanIn: command needs a name');
      return (b) => test(c, b.command);
    case 'event':
      if (!isPattern(c)) throw new Error('fanIn: event needs a type');
      return (b) => test(c, b.event?.type);
    case 'view': {
      allowed(['callback_id', 'type']);
      const id = isPattern(c) ? c : (o!.callback_id as Pattern | undefined);
      const type = (o?.type as string | undefined) ?? 'view_submission';
      return (b) => b.type === type && test(id, b.view?.callback_id);
    }
    case 'action': {
      allowed(['action_id', 'block_id', 'callback_id', 'type']);
      const id = isPattern(c) ? c : (o!.action_id as Pattern | undefined);
      return (b) => {
        const a = b.actions?.[0] ?? b;
        return (o?.type === undefined || b.type === o.type)
          && test(id, a.action_id)
          && test(o?.block_id as Pattern | undefined, a.block_id)
          && test(o?.callback_id as Pattern | undefined, b.callback_id ?? b.view?.callback_id);
      };
    }
    case 'options': {
      allowed(['action_id', 'block_id', 'callback_id', 'type']);
      const id = isPattern(c) ? c : (o!.action_id as Pattern | undefined);
      return (b) => (o?.type === undefined || b.type === o.type)
        && test(id, b.action_id)
        && test(o?.block_id as Pattern | undefined, b.block_id)
        && test(o?.callback_id as Pattern | undefined, b.callback_id ?? b.view?.callback_id);
    }
  }
}

async function runChain(chain: Fn[], args: Record<string, unknown>): Promise<void> {
  const step = async (i: number): Promise<void> => {
    if (i === chain.length - 1) return void (await chain[i]({ ...args, next: () => undefined }));
    await chain[i]({ ...args, next: () => step(i + 1) });
  };
  await step(0);
}

export function fanIn(app: App): { app: App; install(): void } {
  const tables: Record<Kind, Entry[]> = { command: [], event: [], view: [], action: [], options: [] };
  const add = (kind: Kind) => (constraint: unknown, ...chain: Fn[]) => {
    if (chain.length === 0) throw new Error(`fanIn: ${kind} listener without a handler`);
    tables[kind].push({ match: matcher(kind, constraint), chain });
  };
  const overrides: Record<string, unknown> = {
    command: add('command'), event: add('event'), view: add('view'), action: add('action'), options: add('options'),
  };
  const proxy = new Proxy(app, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });

  const dispatch: Middleware<AnyMiddlewareArgs> = async (args) => {
    const kind = kindOf(args as unknown as Record<string, unknown>);
    const body = args.body as Record<string, unknown>;
    const hits = kind ? tables[kind].filter((e) => e.match(body)) : [];
    if (hits.length === 0) return (args as unknown as { next: () => Promise<void> }).next();
    if (hits.length === 1) return runChain(hits[0].chain, args as unknown as Record<string, unknown>);
    const settled = await Promise.allSettled(hits.map((e) => runChain(e.chain, args as unknown as Record<string, unknown>)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  };

  return {
    app: proxy,
    /** After every other global middleware (app.use) — the dispatcher is the last one. */
    install() {
      app.use(dispatch);
    },
  };
}

/** The kind Bolt gave the request: it sets exactly one of these on the arguments (App.processEvent). */
function kindOf(a: Record<string, unknown>): Kind | undefined {
  if (a.command !== undefined) return 'command';
  if (a.event !== undefined) return 'event';
  if (a.action !== undefined) return 'action'; // before view: an action in a modal carries body.view
  if (a.view !== undefined) return 'view';
  if (a.options !== undefined) return 'options';
  return undefined;
}
