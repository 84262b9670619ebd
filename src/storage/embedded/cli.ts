/**
 * `npm run db -- --port 27017 --data-dir ./.data`: the embedded MongoDB-compatible server on its own,
 * for any MongoDB client. Without --data-dir it keeps everything in memory.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    'data-dir': { type: 'string' },
    'compact-bytes': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npm run db -- [--port 27017] [--data-dir ./.data] [--compact-bytes N]\n');
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port: not a port number: ${values.port}\n`);
  process.exit(2);
}

const compactBytes = values['compact-bytes'] ? Number(values['compact-bytes']) : undefined;
const server = await startEmbeddedMongo({ port, dataDir: values['data-dir'] ?? null, compactBytes });
process.stdout.write(`embedded MongoDB listening at ${server.uri} (${values['data-dir'] ? `data in ${values['data-dir']}` : 'memory only'})\n`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  });
}
