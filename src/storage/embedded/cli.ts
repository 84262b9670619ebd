/**
 * `npm run db -- --port 27017 --data-dir ./.data`: the embedded MongoDB-compatible server on its own,
 * for any MongoDB client. Without --data-dir it keeps everything in memory.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index';

function die(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const USAGE = 'usage: npm run db -- [--port 27017] [--data-dir ./.data] [--compact-bytes N]';

let values: { port: string; 'data-dir'?: string; 'compact-bytes'?: string; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      'data-dir': { type: 'string' },
      'compact-bytes': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  die(`${(err as Error).message}\n${USAGE}`);
}

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) die(`--port: not a port number: ${values.port}`);
const compactBytes = values['compact-bytes'] ? Number(values['compact-bytes']) : undefined;
if (compactBytes !== undefined && !(compactBytes > 0)) die(`--compact-bytes: not a positive number: ${values['compact-bytes']}`);

const server = await startEmbeddedMongo({ port, dataDir: values['data-dir'] ?? null, compactBytes }).catch((err: Error) =>
  die(`embedded MongoDB could not start: ${err.message}`),
);
process.stdout.write(
  `embedded MongoDB listening at ${server.uri} (${values['data-dir'] ? `data in ${values['data-dir']}` : 'memory only'})\n`,
);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  });
}
