/**
 * The last resort of `npm start`: an error that nothing caught (a rejected promise nobody awaited, an
 * exception thrown from a callback) is logged and the process keeps serving, instead of Node's
 * default of ending the process (and the embedded database with it) because of one bad request.
 */
import type { Logger } from 'pino';

export interface LastResort {
  onUnhandledRejection(reason: unknown): void;
  onUncaughtException(err: Error): void;
}

export function lastResort(logger: Logger): LastResort {
  const log = logger.child({ component: 'last-resort' });
  return {
    onUnhandledRejection: (reason) => log.error({ err: reason }, 'unhandled promise rejection; still serving'),
    onUncaughtException: (err) => log.error({ err }, 'uncaught exception; still serving'),
  };
}

/** Registers the handlers on `proc` (the process); returns a function that removes them. */
export function installLastResort(logger: Logger, proc: NodeJS.Process = process): () => void {
  const h = lastResort(logger);
  proc.on('unhandledRejection', h.onUnhandledRejection);
  proc.on('uncaughtException', h.onUncaughtException);
  return () => {
    proc.off('unhandledRejection', h.onUnhandledRejection);
    proc.off('uncaughtException', h.onUncaughtException);
  };
}
