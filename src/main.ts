/**
 * `npm start`. With Slack credentials: the real app (MongoDB from MONGODB_URI, or the embedded
 * server with its files in DATA_DIR). With none: the local sandbox — embedded MongoDB, the Slack
 * and job-media emulators on local ports, a demo workspace with sample applicants, and a page that
 * shows what the app posted to Slack.
 */
import { join } from 'node:path';
import { loadConfig, ConfigError, type Config } from './config';
import { createLogger, logFormatFor, prettyDestination } from './log';
import { startApp, type AppHandle } from './server';
import { startEmbeddedMongo } from './storage/embedded/index';
import { checkChromium, closeBrowser } from '../connectors/browser';
import { installLastResort } from './last-resort';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, logFormatFor(config) === 'pretty' ? prettyDestination() : undefined);
  installLastResort(logger);
  const closers: (() => Promise<unknown>)[] = [];

  let mongoUri = config.MONGODB_URI;
  if (!mongoUri) {
    const embedded = await startEmbeddedMongo({
      dataDir: join(config.DATA_DIR, 'db'),
      port: 0,
      logger: logger.child({ component: 'embedded-mongo' }),
    });
    mongoUri = embedded.uri;
    closers.push(() => embedded.close());
    logger.info(
      { dataDir: join(config.DATA_DIR, 'db') },
      'using the embedded MongoDB-compatible server (set MONGODB_URI for a real MongoDB)',
    );
  }

  const chromium = await checkChromium(config.CHROMIUM_PATH);
  if (!chromium.ok) logger.warn(chromium.message);

  let handle: AppHandle;
  if (config.slackMode === 'sandbox') {
    const { startSandbox } = await import('./sandbox');
    const sandbox = await startSandbox(config, mongoUri, logger);
    handle = sandbox.handle;
    closers.unshift(() => sandbox.close());
  } else {
    handle = await startApp({ config, mongoUri, logger });
    closers.unshift(() => handle.stop());
  }
  closers.push(() => closeBrowser());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining running jobs');
    for (const close of closers) await close().catch((err) => logger.warn({ err }, 'shutdown step failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`hire-relay failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
