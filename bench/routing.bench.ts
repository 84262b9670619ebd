/**
 * Routing figures, on the embedded MongoDB (memory mode), same process and run:
 *   route_1000_candidates_s  a new rule routes 1,000 waiting candidates (storage work only: the
 *                            postings and rules read, one updateMany per (job, medium); Slack posting
 *                            excluded) — baseline: reading those 1,000 candidates once.
 *                            goal: ratio <= 3
 */
import { ObjectId } from 'mongodb';
import pino from 'pino';
import { startEmbeddedMongo } from '../src/storage/embedded/index';
import { openStore } from '../src/storage/db';
import { routeMedium } from '../src/domain/mapping';
import type { Deps } from '../src/domain/deps';
import type { CandidateDoc, PostingDoc } from '../src/storage/types';
import type { BenchMetric } from './types';

const quiet = { info() {}, warn() {}, error() {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

const routeMetric: BenchMetric = {
  name: 'route_1000_candidates_s',
  async run() {
    const emb = await startEmbeddedMongo({ dataDir: null, port: 0, logger: quiet });
    const store = await openStore(emb.uri, 'bench_routing');
    try {
      const teamId = 'T0BENCH';
      const N = 1000;
      const POSTINGS = 20;
      const deps = {
        store,
        clock: () => new Date(),
        logger: pino({ level: 'silent' }),
        cardJobs: { wake: async () => undefined, forget: async () => undefined },
      } as unknown as Deps;
      const jobId = new ObjectId();
      const now = new Date();
      await store.jobs.insertOne({
        _id: jobId,
        teamId,
        name: 'Backend',
        channelId: 'C0BENCH',
        admins: [],
        members: [],
        createdBy: 'U0',
        createdAt: now,
        updatedAt: now,
      });
      const postings: PostingDoc[] = Array.from({ length: POSTINGS }, (_, i) => ({
        teamId,
        medium: 'wantedly',
        externalId: `p${i}`,
        accountId: new ObjectId(),
        accountLabel: 'Main',
        title: i % 2 ? `Backend Engineer ${i}` : `Server-side Backend Engineer ${i}`,
        jobId: null,
        firstSeenAt: now,
        lastSeenAt: now,
      }));
      await store.postings.insertMany(postings);
      // noise: other teams' and other media's candidates in the same collection
      const noise: CandidateDoc[] = Array.from({ length: 2000 }, (_, i) =>
        candidate(i % 2 ? 'T0OTHER' : teamId, i % 2 ? 'wantedly' : 'green', `n${i}`, `p${i % POSTINGS}`),
      );
      await store.candidates.insertMany(noise);
      const mine: CandidateDoc[] = Array.from({ length: N }, (_, i) => candidate(teamId, 'wantedly', `c${i}`, `p${i % POSTINGS}`));
      await store.candidates.insertMany(mine);
      const ids = postings.map((p) => p.externalId);

      const read = async () => {
        const t0 = process.hrtime.bigint();
        const docs = await store.candidates.find({ teamId, medium: 'wantedly', postingExternalId: { $in: ids } }).toArray();
        const s = seconds(t0);
        if (docs.length !== N) throw new Error(`read ${docs.length}`);
        return s;
      };
      const route = async () => {
        await store.candidates.updateMany({ teamId, medium: 'wantedly' }, { $set: { jobId: null }, $unset: { card: '' } });
        await store.mappingRules.deleteMany({ teamId });
        await store.mappingRules.insertOne({
          teamId,
          medium: 'wantedly',
          pattern: 'Backend Engineer',
          match: 'contains',
          jobId,
          createdBy: 'U0',
          createdAt: new Date(),
        });
        const t0 = process.hrtime.bigint();
        const moved = await routeMedium(deps, teamId, 'wantedly', { enqueue: false });
        const s = seconds(t0);
        if (moved.get(String(jobId)) !== N) throw new Error(`moved ${moved.get(String(jobId))}`);
        return s;
      };
      await read();
      await route(); // warm-up
      const rr: number[] = [];
      const rb: number[] = [];
      for (let i = 0; i < 7; i++) {
        rb.push(await read());
        rr.push(await route());
      }
      const value = median(rr);
      const baseline = median(rb);
      const routed = await store.candidates.countDocuments({ teamId, jobId, 'card.state': 'pending' });
      return [
        {
          metric: 'route_1000_candidates_s',
          value: +value.toFixed(4),
          unit: 's',
          baseline: +baseline.toFixed(4),
          ratio: +(value / baseline).toFixed(2),
          n: N,
          goal: 'ratio <= 3',
          routed,
          postings: POSTINGS,
          updates: 1,
        },
      ];
    } finally {
      await store.close();
      await emb.close();
    }
  },
};

function candidate(teamId: string, medium: 'wantedly' | 'green', externalId: string, posting: string): CandidateDoc {
  const now = new Date();
  const accountId = new ObjectId();
  return {
    teamId,
    medium,
    externalId,
    name: `Candidate ${externalId}`,
    postingExternalId: posting,
    postingTitle: 'Backend Engineer',
    appliedAt: now,
    links: [{ label: 'profile', url: `https://example.test/${externalId}` }],
    jobId: null,
    stage: 'new',
    assignees: [],
    accountIds: [accountId],
    importedAt: now,
    importHistory: [{ at: now, accountId, accountLabel: 'Main', runId: 'r1' }],
  };
}

export const metrics: BenchMetric[] = [routeMetric];
