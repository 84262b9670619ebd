export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  n?: number;
  [extra: string]: unknown;
}

export interface BenchMetric {
  /** Name (or common prefix) of the figures it produces. */
  name: string;
  /** Other metric names it emits, so `npm run bench -- <prefix>` finds them. */
  emits?: string[];
  run(): Promise<BenchResult[]>;
}
