/**
 * The app as a separate process for crash trials: config from the environment, no sandbox.
 * `TRIAL_CARD_POSTING` (JSON): card delivery tunables, for trials that cannot wait Slack's pace.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startApp } from '../../src/server';

const config = loadConfig();
const handle = await startApp({
  config,
  mongoUri: process.env.MONGODB_URI!,
  logger: createLogger(config.LOG_LEVEL),
  port: 0,
  agendaProcessEveryMs: 100,
  cardPosting: process.env.TRIAL_CARD_POSTING ? JSON.parse(process.env.TRIAL_CARD_POSTING) : undefined,
});
process.stdout.write(`ready ${handle.port}\n`);
process.on('SIGTERM', () => void handle.stop().then(() => process.exit(0)));
