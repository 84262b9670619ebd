/** Handshake, server information, sessions and the transaction refusal. */
import { randomUUID } from 'node:crypto';
import { Binary, UUID, type Document } from 'bson';
import { CommandError } from '../errors';
import type { Handler } from './context';

/** The server version we present ourselves as (MongoDB 7.0, wire version 21). */
export const SERVER_VERSION = '7.0.0';
export const MAX_WIRE_VERSION = 21;

function helloReply(legacy: boolean, connectionId: number): Document {
  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    helloOk: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

export const hello: Handler = (_cmd, ctx) => helloReply(false, ctx.connectionId);
export const isMaster: Handler = (_cmd, ctx) => helloReply(true, ctx.connectionId);

export const ping: Handler = () => ({ ok: 1 });

export const buildInfo: Handler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['embedded'],
  modules: [],
  javascriptEngine: 'none',
  ok: 1,
});

export const getParameter: Handler = (cmd) => {
  const out: Document = { ok: 1 };
  if (cmd.featureCompatibilityVersion || cmd.getParameter === '*') out.featureCompatibilityVersion = { version: '7.0' };
  return out;
};

export const serverStatus: Handler = (_cmd, ctx) => ({
  host: `127.0.0.1:${ctx.server.port}`,
  version: SERVER_VERSION,
  process: 'hire-relay-embedded',
  uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
  localTime: new Date(),
  storageEngine: { name: ctx.server.dataDir ? 'embedded-log' : 'embedded-memory', persistent: !!ctx.server.dataDir },
  ok: 1,
});

export const hostInfo: Handler = () => ({ system: { hostname: '127.0.0.1' }, os: { type: process.platform }, extra: {}, ok: 1 });
export const whatsmyuri: Handler = (_cmd, ctx) => ({ you: `127.0.0.1:${ctx.connectionId}`, ok: 1 });
export const connectionStatus: Handler = () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 });
export const getCmdLineOpts: Handler = (_cmd, ctx) => ({ argv: ['embedded'], parsed: { net: { port: ctx.server.port } }, ok: 1 });
export const getLog: Handler = () => ({ totalLinesWritten: 0, log: [], ok: 1 });

export const endSessions: Handler = () => ({ ok: 1 });
export const startSession: Handler = () => ({
  id: { id: new Binary(new UUID(randomUUID()).buffer, Binary.SUBTYPE_UUID) },
  timeoutMinutes: 30,
  ok: 1,
});

export const transactions: Handler = () => {
  throw new CommandError(
    'IllegalOperation',
    'Transactions are not supported by the embedded server; point MONGODB_URI at a MongoDB replica set to use them',
  );
};

export const authenticate: Handler = () => {
  throw new CommandError('CommandNotFound', 'the embedded server has no authentication; connect without credentials');
};
