/**
 * `npm run bench [-- <prefix>]`: prints one JSON object per line, as ../shared/DESIGN.md says:
 * {"metric","value","unit","baseline","ratio","n", ...}. Each area adds a `bench/<area>.bench.ts`
 * module exporting `metrics: BenchMetric[]`; this runner loads them all and runs the metrics whose
 * name starts with the prefix.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchMetric } from './types';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = process.argv[2] ?? '';

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
let failed = false;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { metrics: BenchMetric[] };
  for (const m of mod.metrics) {
    if (!m.name.startsWith(prefix) && !(m.emits ?? []).some((e) => e.startsWith(prefix))) continue;
    try {
      const results = await m.run();
      for (const r of results) {
        if (prefix && !r.metric.startsWith(prefix) && !m.name.startsWith(prefix)) continue;
        process.stdout.write(JSON.stringify(r) + '\n');
      }
    } catch (err) {
      failed = true;
      process.stdout.write(JSON.stringify({ metric: m.name, error: String((err as Error)?.stack ?? err) }) + '\n');
    }
  }
}
process.exit(failed ? 1 : 0);
