/**
 * What stands in front of Bolt's HTTP receiver on POST /slack/events (src/request-guard.ts): a
 * correctly signed body that is not a JSON object gets 400 and the app keeps serving (issue 13,
 * defect 1); a body over MAX_BODY_BYTES gets 413 before it is read to its end, and the connection is
 * closed rather than read on (defect 3).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, startHarness, type Harness } from '../helpers/app';
import { MAX_BODY_BYTES } from '../../src/request-guard';

let h: Harness;
const T = 'T0GUARD1';
const ADMIN = 'U0GUARD1ADMIN';

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { installer: ADMIN });
});
afterAll(() => h?.close());

async function signedPost(body: string, contentType: string): Promise<number> {
  // before the fix the receiver never answered (and the process died): fail clearly instead
  const res = await postSigned(h, body, contentType, { signal: AbortSignal.timeout(10_000) });
  await res.text();
  return res.status;
}

async function helpStillWorks() {
  const res = await h.slack.slash({ teamId: T, userId: ADMIN, text: 'help' });
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.json.blocks)).toContain('使い方');
}

describe('a signed body that is not a JSON object', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const JSON_TYPE = 'application/json';
  const cases = [
    { name: 'payload=null', body: 'payload=null', type: FORM },
    { name: 'payload=<number>', body: 'payload=42', type: FORM },
    { name: 'payload=<string>', body: `payload=${encodeURIComponent('"block_actions"')}`, type: FORM },
    { name: 'payload=<array>', body: `payload=${encodeURIComponent('[{"type":"block_actions"}]')}`, type: FORM },
    { name: 'JSON null', body: 'null', type: JSON_TYPE },
    { name: 'JSON number', body: '7', type: JSON_TYPE },
    { name: 'JSON string', body: '"event_callback"', type: JSON_TYPE },
    { name: 'JSON array', body: '[]', type: JSON_TYPE },
  ];

  it.each(cases)('$name → 400, and /ats help still works', async ({ body, type }) => {
    expect(await signedPost(body, type)).toBe(400);
    await helpStillWorks();
  });

  it('the same bodies unsigned are still refused as unsigned (401)', async () => {
    for (const { body, type } of cases) {
      const res = await fetch(`${h.app.url}/slack/events`, { method: 'POST', headers: { 'content-type': type }, body });
      await res.text();
      expect(res.status).toBe(401);
    }
    await helpStillWorks();
  });
});

/**
 * Opens a raw connection, sends the head of a POST /slack/events (with `contentLength`, or chunked
 * without one) and `send` bytes of body, and never sends the rest nor ends its side. Resolves with
 * the status the server answered and whether the server closed the connection; fails if the server
 * neither answers nor closes (it waits for the rest of the body, as Bolt's receiver alone did).
 */
function oversized(o: { contentLength?: number; send: number }): Promise<{ status: number; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(h.app.port, '127.0.0.1');
    let received = '';
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close after ${o.send} bytes; got: ${JSON.stringify(received.slice(0, 80))}`));
    }, 15_000);
    const done = () => {
      clearTimeout(deadline);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
      resolve({ status, closedByServer: true });
    };
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    socket.on('end', done);
    socket.on('error', () => undefined); // a reset after the answer: 'close' follows
    socket.on('close', done);
    socket.on('connect', () => {
      const framing = o.contentLength !== undefined ? `content-length: ${o.contentLength}` : 'transfer-encoding: chunked';
      socket.write(`POST /slack/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < o.send; sent += chunk.length) {
        if (o.contentLength !== undefined) socket.write(chunk);
        else socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
      }
    });
  });
}

describe('a body over the limit', () => {
  it('with a Content-Length over the limit: 413 after a part of it, and the connection is closed', async () => {
    // under Bolt's own 4 MB limit, so only the guard refuses it
    const r = await oversized({ contentLength: 3 * 1024 * 1024, send: 64 * 1024 });
    expect(r).toEqual({ status: 413, closedByServer: true });
    await helpStillWorks();
  });

  it('chunked, without a Content-Length: 413 once the limit is passed, before the body ends', async () => {
    const r = await oversized({ send: MAX_BODY_BYTES + 256 * 1024 });
    expect(r).toEqual({ status: 413, closedByServer: true });
    await helpStillWorks();
  });

  it('twenty at once, with and without a Content-Length: all 413, and the app serves the next request', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        oversized(i % 2 ? { contentLength: 5 * 1024 * 1024, send: 256 * 1024 } : { send: MAX_BODY_BYTES + 128 * 1024 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(413));
    await helpStillWorks();
  });

  it('a body just under the limit goes on to the signature check (401 unsigned)', async () => {
    const body = JSON.stringify({ type: 'event_callback', pad: 'x'.repeat(MAX_BODY_BYTES - 100) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const res = await fetch(`${h.app.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.text();
    expect(res.status).toBe(401);
  });
});
