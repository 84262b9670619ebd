/**
 * The connector contract: one suite every medium's connector passes, through the real connector
 * (getConnector) against the medium's emulator. `connectorContractSuite(target)` declares the
 * whole describe block; test/connectors/contract.test.ts calls it once per medium. A target says
 * how to start the emulator, how to seed it and what the connector should make of the seed, the
 * credentials that work and the ones that do not, and what differs on purpose (age, meetups,
 * the account states the medium refuses).
 *
 * Covered for every medium: authenticate (good / wrong credentials, refused account states),
 * fetchApplicants (pages, `limit`, order, cursor, `hasMore`, normalized fields, caught up,
 * re-fetch) and errors (5xx, maintenance, 429, changed layout, timeout). No error may carry a
 * credential: every rejection the suite sees is checked for every credential value.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../../emulators/media-console/http';
import { getConnector } from '../../../connectors/index';
import { AuthError, ServiceError, type ConnectorContext, type Credentials, type NormalizedApplicant } from '../../../connectors/types';
import type { AuthFailureReason, ConnectorKind, Medium, ServiceFailureReason } from '../../../src/vocabulary';
import { rejectsWith } from '../../helpers/rejects';

/** What the suite drives on any medium's emulator (the Wantedly and console emulators both have it). */
export interface ContractEmulator {
  url: string;
  reset(): void;
  injectFault(spec: FaultSpec): void;
  close(): Promise<void>;
}

export interface ConnectorTarget<E extends ContractEmulator> {
  medium: Medium;
  kind: ConnectorKind;
  startEmulator(): Promise<E>;
  /** Creates the account `good` belongs to (called after every reset). */
  addAccount(emu: E): void;
  /**
   * Seeds applicants for that account (timestamps ascending from `start`, every `tieEvery`-th one
   * sharing the previous one's) and returns what the connector must make of them, in the medium's
   * oldest-first order: the oracle the suite compares the connector's output with.
   */
  seed(emu: E, opts: { count: number; start?: string; tieEvery?: number }): NormalizedApplicant[];
  /** Applicants per page the connector reads from the medium. */
  pageSize: number;
  /** Pages (list pages, API pages) the emulator has served so far. */
  pagesServed(emu: E): number;
  good: Credentials;
  /** Same login, wrong password (or an unknown API key). */
  wrong: Credentials;
  /** Account states the medium refuses at login, and the AuthError reason the connector gives. */
  refusals: { state: string; arrange(emu: E): void; reason: AuthFailureReason }[];
  /** The ServiceError reason for a page or response whose shape changed. */
  changedLayout: ServiceFailureReason;
  /** Whether the medium gives an age (Findy and Wantedly do not). */
  showsAge: boolean;
  /** Whether the medium has meetup entries (Wantedly 「話を聞きに行きたい」). */
  hasMeetups: boolean;
}

/** Every credential value (login id, password, API key) of the given credentials. */
function credentialValues(...creds: Credentials[]): string[] {
  return creds.flatMap((c) =>
    Object.entries(c)
      .filter(([k]) => k !== 'medium')
      .map(([, v]) => String(v)),
  );
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function connectorContractSuite<E extends ContractEmulator>(t: ConnectorTarget<E>): void {
  describe(`${t.medium} connector contract`, () => {
    const connector = getConnector(t.medium);
    const secrets = credentialValues(t.good, t.wrong);
    let emu: E;
    const ctx = (timeoutMs = 10_000): ConnectorContext => ({ baseUrl: emu.url, timeoutMs });
    const fetch = (cursor: string | null, limit: number) => connector.fetchApplicants(t.good, { cursor, limit }, ctx());

    /** The rejection of `p`: an instance of `type` with `reason`, no credential in it anywhere. */
    async function rejection<T extends AuthError | ServiceError>(
      p: Promise<unknown>,
      type: new (...args: never[]) => T,
      reason: T['reason'],
    ): Promise<T> {
      const err = await rejectsWith(p);
      expect(err).toBeInstanceOf(type);
      expect((err as T).reason).toBe(reason);
      for (const s of secrets) {
        expect(err.message).not.toContain(s);
        expect(String(err.stack)).not.toContain(s);
      }
      return err as T;
    }

    /** Beyond equality with the oracle: the shape every connector's output has. */
    function expectNormalized(applicants: NormalizedApplicant[]): void {
      const origin = new URL(emu.url).origin;
      for (const a of applicants) {
        for (const s of [a.externalId, a.name, a.postingId, a.postingTitle]) expect(s).toMatch(/\S/);
        expect(a.appliedAt).toMatch(ISO_UTC);
        expect(new URL(a.profileUrl).origin).toBe(origin);
        if (t.showsAge) expect(a.age).toEqual(expect.any(Number));
        else expect(a).not.toHaveProperty('age');
      }
      const meetups = applicants.filter((a) => a.isMeetup).length;
      if (t.hasMeetups) expect([meetups > 0, meetups < applicants.length]).toEqual([true, true]);
      else expect(meetups).toBe(0);
    }

    beforeAll(async () => {
      emu = await t.startEmulator();
    });
    afterAll(async () => {
      await emu?.close();
    });
    beforeEach(() => {
      emu.reset();
      t.addAccount(emu);
    });

    it('is the registry entry for its medium', () => {
      expect(connector.medium).toBe(t.medium);
      expect(connector.kind).toBe(t.kind);
      expect(t.good.medium).toBe(t.medium);
      expect(t.wrong.medium).toBe(t.medium);
    });

    describe('authenticate', () => {
      it('good credentials resolve', async () => {
        await expect(connector.authenticate(t.good, ctx())).resolves.toBeUndefined();
      });

      it('wrong credentials → AuthError(invalid_credentials)', async () => {
        await rejection(connector.authenticate(t.wrong, ctx()), AuthError, 'invalid_credentials');
      });

      for (const r of t.refusals) {
        it(`${r.state} → AuthError(${r.reason})`, async () => {
          r.arrange(emu);
          await rejection(connector.authenticate(t.good, ctx()), AuthError, r.reason);
        });
      }
    });

    describe('fetchApplicants', () => {
      it('reads across pages: at most `limit`, oldest first, normalized; the cursor resumes right after the last one', async () => {
        const all = t.seed(emu, { count: t.pageSize + t.pageSize / 2, tieEvery: 4 });
        // Cut inside a tie beyond the first page: all[limit - 1] and all[limit] share appliedAt.
        const limit = all.findIndex((a, i) => i > t.pageSize && a.appliedAt === all[i - 1].appliedAt);
        expect(limit).toBeGreaterThan(t.pageSize);
        const pagesBefore = t.pagesServed(emu);

        const first = await fetch(null, limit);
        expect(t.pagesServed(emu) - pagesBefore).toBeGreaterThanOrEqual(2);
        expect(first.applicants).toEqual(all.slice(0, limit));
        expect(first.hasMore).toBe(true);
        expect(first.nextCursor).toEqual(expect.any(String));

        const second = await fetch(first.nextCursor, all.length);
        expect(second.applicants).toEqual(all.slice(limit));
        expect(second.hasMore).toBe(false);

        const got = [...first.applicants, ...second.applicants];
        expect(new Set(got.map((a) => a.externalId)).size).toBe(all.length);
        for (let i = 1; i < got.length; i++) expect(Date.parse(got[i].appliedAt)).toBeGreaterThanOrEqual(Date.parse(got[i - 1].appliedAt));
        expectNormalized(got);
      });

      it('caught up: an empty batch keeps the cursor; a later applicant (tied with the last) comes next, again on re-fetch', async () => {
        const all = t.seed(emu, { count: 3 });
        const r = await fetch(null, 10);
        expect([r.applicants.length, r.hasMore]).toEqual([3, false]);
        expect(await fetch(r.nextCursor, 10)).toEqual({ applicants: [], nextCursor: r.nextCursor, hasMore: false });

        const late = t.seed(emu, { count: 1, start: all[2].appliedAt });
        const next = await fetch(r.nextCursor, 10);
        expect(next.applicants).toEqual(late);
        expect(next.hasMore).toBe(false);
        // The cursor covers exactly what it returned: the old one gives the same batch again.
        expect(await fetch(r.nextCursor, 10)).toEqual(next);
      });
    });

    describe('errors (no credential in any message)', () => {
      it('5xx → ServiceError(unavailable)', async () => {
        for (const status of [500, 502]) {
          emu.injectFault({ kind: 'error', status, times: 1 });
          await rejection(connector.authenticate(t.good, ctx()), ServiceError, 'unavailable');
        }
      });

      it('maintenance (503) → ServiceError(unavailable) with the Retry-After it gives', async () => {
        emu.injectFault({ kind: 'maintenance' });
        const e = await rejection(connector.authenticate(t.good, ctx()), ServiceError, 'unavailable');
        expect(e.retryAfterMs).toBe(600_000);
      });

      it('429 → ServiceError(rate_limited) with retryAfterMs from Retry-After', async () => {
        emu.injectFault({ kind: 'rate_limit', retryAfterSec: 90, times: 1 });
        const e = await rejection(fetch(null, 10), ServiceError, 'rate_limited');
        expect(e.retryAfterMs).toBe(90_000);
      });

      it(`a changed page or response shape → ServiceError(${t.changedLayout})`, async () => {
        t.seed(emu, { count: 3 });
        emu.injectFault({ kind: 'layout_changed' });
        await rejection(fetch(null, 10), ServiceError, t.changedLayout);
      });

      it('a medium slower than ctx.timeoutMs → ServiceError(timeout)', async () => {
        emu.injectFault({ kind: 'slow', delayMs: 3_000, times: 1 });
        await rejection(connector.authenticate(t.good, ctx(1_000)), ServiceError, 'timeout');
      });
    });
  });
}
