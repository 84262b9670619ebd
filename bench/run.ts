/**
 * `npm run bench [-- <prefix>]`: prints one JSON object per line, as docs/architecture.md ("Benchmarks") says:
 * {"metric","value","unit","baseline","ratio","n", ...}. Each area adds a `bench/<area>.bench.ts`
 * module exporting `metrics: BenchMetric[]`; this runner runs the metrics whose name starts with the
 * prefix, each in a fresh Node process: a figure must not depend on what ran before it (the import
 * benches leave a large heap, Chromium and timers behind, which moved slack_ack_p99_ms by 0.2).
 *
 * `bench/run.ts --one <file> <metric>` is the child's side: it runs one metric and prints its lines.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchMetric } from './types';

const here = dirname(fileURLToPath(import.meta.url));

async function load(file: string): Promise<BenchMetric[]> {
  return ((await import(pathToFileURL(join(here, file)).href)) as { metrics: BenchMetric[] }).metrics;
}

const selected = (m: BenchMetric, prefix: string) => m.name.startsWith(prefix) || (m.emits ?? []).some((e) => e.startsWith(prefix));

async function runOne(file: string, name: string, prefix: string): Promise<boolean> {
  const m = (await load(file)).find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name} in ${file}`);
  try {
    for (const r of await m.run()) {
      if (prefix && !r.metric.startsWith(prefix) && !m.name.startsWith(prefix)) continue;
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
    return true;
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ metric: m.name, error: String((err as Error)?.stack ?? err) })}\n`);
    return false;
  }
}

function child(file: string, name: string, prefix: string): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', file, name, prefix], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    p.once('exit', (code) => {
      if (code !== 0 && code !== 1)
        process.stdout.write(`${JSON.stringify({ metric: name, error: `bench process ended with ${code}` })}\n`);
      resolve(code === 0);
    });
  });
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  process.exit((await runOne(args[1], args[2], args[3] ?? '')) ? 0 : 1);
}

const prefix = args[0] ?? '';
let failed = false;
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  for (const m of await load(file)) {
    if (selected(m, prefix) && !(await child(file, m.name, prefix))) failed = true;
  }
}
process.exit(failed ? 1 : 0);
