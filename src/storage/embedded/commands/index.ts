/** The command table and dispatch: first key of the body names the command. */
import type { Document } from 'bson';
import { CommandError, toErrorReply } from '../errors';
import * as admin from './admin';
import * as ddl from './ddl';
import * as read from './read';
import * as write from './write';
import type { Ctx, Handler } from './context';

export type { Ctx, Handler, ServerInfo } from './context';

const COMMANDS: Record<string, Handler> = {
  hello: admin.hello,
  isMaster: admin.isMaster,
  ismaster: admin.isMaster,
  ping: admin.ping,
  buildInfo: admin.buildInfo,
  buildinfo: admin.buildInfo,
  getParameter: admin.getParameter,
  serverStatus: admin.serverStatus,
  hostInfo: admin.hostInfo,
  whatsmyuri: admin.whatsmyuri,
  connectionStatus: admin.connectionStatus,
  getCmdLineOpts: admin.getCmdLineOpts,
  getLog: admin.getLog,
  endSessions: admin.endSessions,
  killAllSessions: admin.endSessions,
  killSessions: admin.endSessions,
  refreshSessions: admin.endSessions,
  startSession: admin.startSession,
  commitTransaction: admin.transactions,
  abortTransaction: admin.transactions,
  saslStart: admin.authenticate,
  authenticate: admin.authenticate,

  listDatabases: ddl.listDatabases,
  listCollections: ddl.listCollections,
  create: ddl.create,
  drop: ddl.drop,
  dropDatabase: ddl.dropDatabase,
  createIndexes: ddl.createIndexes,
  listIndexes: ddl.listIndexes,
  dropIndexes: ddl.dropIndexes,
  deleteIndexes: ddl.dropIndexes,
  renameCollection: ddl.renameCollection,
  collStats: ddl.collStats,
  dbStats: ddl.dbStats,

  insert: write.insert,
  update: write.update,
  delete: write.del,
  findAndModify: write.findAndModify,
  findandmodify: write.findAndModify,

  find: read.find,
  getMore: read.getMore,
  killCursors: read.killCursors,
  count: read.count,
  distinct: read.distinct,
  aggregate: read.aggregate,
  explain: read.explain,
};

/** Commands that read or write no data, so they may run before or without a database name. */
export function commandName(cmd: Document): string {
  return Object.keys(cmd)[0] ?? '';
}

/** Runs one command synchronously and returns its reply (errors become {ok: 0, ...}). */
export function runCommand(cmd: Document, ctx: Ctx): Document {
  const name = commandName(cmd);
  const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    if (cmd.startTransaction === true || cmd.autocommit === false) admin.transactions(cmd, ctx);
    return handler(cmd, ctx);
  } catch (err) {
    return toErrorReply(err);
  }
}
