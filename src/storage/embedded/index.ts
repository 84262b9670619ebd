/**
 * The embedded MongoDB-wire-compatible server: `startEmbeddedMongo({ dataDir, port })`.
 * Memory only when dataDir is null; otherwise every acknowledged write is on disk first.
 */
import pino from 'pino';
import { Catalog } from './catalog';
import { Durability } from './durability';
import { WireServer, type DurabilityGate, type EmbeddedLogger } from './server';
import { startTtlMonitor } from './ttl';

export type { EmbeddedLogger } from './server';

export interface EmbeddedMongoOptions {
  /** Directory for the log and snapshots; null (or omitted) keeps everything in memory. */
  dataDir?: string | null;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** pino-compatible logger; defaults to pino at LOG_LEVEL (or 'info') on stderr. */
  logger?: EmbeddedLogger;
  /** How often expired documents of TTL indexes are removed (MongoDB: 60 s). */
  ttlIntervalMs?: number;
  /** Log size that triggers compaction into a snapshot (default 64 MiB). */
  compactBytes?: number;
}

export interface EmbeddedMongo {
  /** mongodb://127.0.0.1:<port>/ — append a database name or pass it to client.db(). */
  uri: string;
  port: number;
  /** Stops accepting connections, flushes the log and closes files. */
  close(): Promise<void>;
}

const memoryGate: DurabilityGate = { seq: 0, waitFor: () => undefined };

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const logger: EmbeddedLogger =
    options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info', name: 'embedded-mongo' }, pino.destination(2));
  const catalog = new Catalog();
  const dataDir = options.dataDir ?? null;
  const durability = dataDir ? Durability.open(dataDir, catalog, { logger, compactBytes: options.compactBytes }) : undefined;
  const host = '127.0.0.1'; // never reachable from other machines: there is no authentication
  const info = { startedAt: new Date(), port: 0, dataDir };
  const server = new WireServer(catalog, durability ?? memoryGate, info, logger);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (err) {
    await durability?.close();
    throw err;
  }
  info.port = port;
  const ttl = startTtlMonitor(catalog, options.ttlIntervalMs ?? 60_000);
  logger.info({ port, dataDir: dataDir ?? '(memory)' }, 'embedded mongo: listening');
  let closing: Promise<void> | undefined;
  return {
    uri: `mongodb://${host}:${port}/`,
    port,
    close() {
      closing ??= (async () => {
        ttl.stop();
        await server.close();
        await durability?.close();
      })();
      return closing;
    },
  };
}
