/** `npm run emulators`: the Slack emulator and the six media emulators on local ports, until Ctrl-C. */
import { randomBytes } from 'node:crypto';
import { startSlackEmulator } from './slack/index';
import { startMediaEmulators } from './media';

const signingSecret = process.env.SLACK_SIGNING_SECRET ?? randomBytes(16).toString('hex');
const slack = await startSlackEmulator({
  port: Number(process.env.SLACK_EMULATOR_PORT ?? 3001),
  signingSecret,
  appRequestUrl: process.env.APP_REQUEST_URL,
});
const media = await startMediaEmulators();
process.stdout.write(
  [
    `Slack emulator:  ${slack.url}/  (API ${slack.apiUrl}; signing secret in SLACK_SIGNING_SECRET or printed: ${process.env.SLACK_SIGNING_SECRET ? '(from env)' : signingSecret})`,
    ...Object.entries(media.urls).map(([m, u]) => `${m.padEnd(9)} ${u}`),
    '',
  ].join('\n'),
);
const stop = async () => {
  await media.close();
  await slack.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
