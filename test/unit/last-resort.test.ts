/**
 * The last resort of `npm start` (src/last-resort.ts): an unhandled rejection or an uncaught
 * exception is logged, with its message, and does not end the process.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { installLastResort } from '../../src/last-resort';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('installLastResort', () => {
  it('logs an unhandled rejection and an uncaught exception, and the handlers come off again', () => {
    const { logger, lines } = capture();
    const proc = new EventEmitter() as unknown as NodeJS.Process;
    const uninstall = installLastResort(logger, proc);
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    expect(proc.listenerCount('uncaughtException')).toBe(1);

    proc.emit('unhandledRejection', new TypeError("Cannot read properties of null (reading 'ssl_check')"), Promise.resolve());
    proc.emit('uncaughtException', new Error('thrown from a callback'));
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ level: 50, component: 'last-resort', msg: 'unhandled promise rejection; still serving' });
    expect(JSON.stringify(logged[0].err)).toContain('ssl_check');
    expect(logged[1]).toMatchObject({ level: 50, msg: 'uncaught exception; still serving' });
    expect(JSON.stringify(logged[1].err)).toContain('thrown from a callback');

    uninstall();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });

  it('a rejection that is not an Error is logged too', () => {
    const { logger, lines } = capture();
    const proc = new EventEmitter() as unknown as NodeJS.Process;
    installLastResort(logger, proc);
    proc.emit('unhandledRejection', 'a bare string', Promise.resolve());
    expect(lines.join('')).toContain('a bare string');
  });
});
