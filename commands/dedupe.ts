/**
 * Slack retries (X-Slack-Retry-Num) must not act twice. Every event is recorded by event_id and
 * every interaction by trigger_id in `deliveries` (a unique _id, TTL one day); a delivery whose key
 * is already there is acknowledged and dropped. Recording an interaction is not awaited before the
 * handler runs (it costs the ack nothing); a retry, which Slack sends only after 3 s, does wait.
 *
 * Records are group-committed: keys arriving while one insertMany is in flight go together in the
 * next one (one round trip for many deliveries under load instead of one each; alone, a delivery is
 * written at once). The unique _id still decides, across processes, which delivery is the first.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { MongoBulkWriteError } from 'mongodb';
import type { Deps } from '../src/domain/deps';
import { isDuplicateKey } from '../src/storage/db';

function deliveryKey(body: Record<string, unknown>): string | null {
  const team = (body.team_id as string) ?? (body.team as { id?: string } | undefined)?.id ?? '';
  if (typeof body.event_id === 'string') return `${team}:event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `${team}:trigger:${body.trigger_id}`;
  return null;
}

const MAX_BATCH = 500;
const COALESCE_MS = 100;

/** record(key) → true when this is the first delivery with that key, false when it was seen before. */
export function deliveryRecorder(deps: Pick<Deps, 'store' | 'clock' | 'logger'>) {
  type Item = { key: string; urgent: boolean; resolve: (fresh: boolean) => void };
  const pending: Item[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  async function write(batch: Item[]): Promise<void> {
    // the same key twice in one batch: the first one is the delivery, the rest are repeats
    const first = new Map<string, number>();
    const docs: { _id: string; at: Date }[] = [];
    const at = deps.clock();
    const fresh = batch.map(({ key }) => {
      if (first.has(key)) return false;
      first.set(key, docs.length);
      docs.push({ _id: key, at });
      return true;
    });
    const duplicate = new Set<number>(); // indexes into docs
    try {
      await deps.store.deliveries.insertMany(docs, { ordered: false });
    } catch (err) {
      const writeErrors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : [];
      if (writeErrors.length) {
        for (const we of writeErrors) {
          if (we.code === 11000) duplicate.add(we.index);
          else deps.logger.warn({ code: we.code }, 'could not record a Slack delivery');
        }
      } else if (isDuplicateKey(err) && docs.length === 1) {
        duplicate.add(0);
      } else {
        // not knowing is not a reason to drop a delivery: act on it (as if first)
        deps.logger.warn({ err }, 'could not record Slack deliveries');
      }
    }
    batch.forEach(({ key, resolve }, i) => {
      resolve(fresh[i] && !duplicate.has(first.get(key)!));
    });
  }

  // One write at a time. A flush writes what is pending then; after that the loop goes on at once
  // only for an urgent key. Records nobody waits for wait for the coalescing timer, so under load they
  // share one round trip per COALESCE_MS (a write every few requests cost more driver CPU than the
  // rest of the ack together: bench/slack.bench.ts).
  async function drain() {
    running = true;
    try {
      let due = pending.length;
      while (pending.length && (due > 0 || pending.some((p) => p.urgent))) {
        const batch = pending.splice(0, MAX_BATCH);
        due -= batch.length;
        await write(batch);
      }
    } finally {
      running = false;
      if (pending.length) schedule(pending.some((p) => p.urgent));
    }
  }

  function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!running) void drain(); // a running loop, or its finally, takes what is pending
  }

  function schedule(urgent: boolean) {
    if (urgent) setImmediate(flush);
    else timer ??= setTimeout(flush, COALESCE_MS);
  }

  return {
    /**
     * `urgent`: someone waits for the answer (a retry, an event) → written on the next turn.
     * Otherwise the record may wait up to COALESCE_MS for others to share its round trip: nobody
     * waits for it, and a Slack retry comes seconds later, after it is written.
     */
    record(key: string, urgent = true): Promise<boolean> {
      return new Promise((resolve) => {
        pending.push({ key, urgent, resolve });
        if (running) return; // the drain loop or its finally picks it up
        schedule(urgent);
      });
    },
  };
}

export function dedupeMiddleware(deps: Deps): Middleware<AnyMiddlewareArgs> {
  const recorder = deliveryRecorder(deps);
  return async (args) => {
    const { body, context, next } = args as AnyMiddlewareArgs & { next: () => Promise<void>; context: { retryNum?: number } };
    const key = deliveryKey(body as unknown as Record<string, unknown>);
    if (!key) return next();
    const isRetry = Boolean(context.retryNum) || typeof (body as { event_id?: unknown }).event_id === 'string';
    const record = recorder.record(key, isRetry);
    if (isRetry) {
      const fresh = await record;
      if (!fresh) {
        deps.logger.info({ key, retryNum: context.retryNum }, 'dropped a repeated Slack delivery');
        const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
        if (ack) await ack();
        return;
      }
    }
    await next();
  };
}
