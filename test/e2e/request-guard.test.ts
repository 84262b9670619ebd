/**
 * What stands in front of Bolt's HTTP receiver on POST /slack/events (src/request-guard.ts): a
 * correctly signed body that is not a JSON object gets 400 and the app keeps serving (issue 13,
 * defect 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/app';

let h: Harness;
const T = 'T0GUARD1';
const ADMIN = 'U0GUARD1ADMIN';

beforeAll(async () => {
  h = await startHarness();
  await h.install(T, { installer: ADMIN });
});
afterAll(() => h?.close());

/** POSTs `body` to /slack/events, signed as the Slack emulator signs (now, with the signing secret). */
async function signedPost(body: string, contentType: string): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${h.app.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': h.slack.sign(body, ts) },
    body,
    // before the fix the receiver never answered (and the process died): fail clearly instead
    signal: AbortSignal.timeout(10_000),
  });
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
