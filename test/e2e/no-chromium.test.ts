/** Without Chromium: start-up says so in one line, console media end in system_error with that reason, nothing crashes. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { linkViaSlack } from '../helpers/flows';
import { checkChromium } from '../../connectors/browser';

let h: Harness;
const T = 'T0NOCHROME';
const MISSING = '/nonexistent/chromium';

beforeAll(async () => {
  h = await startHarness({ media: true, env: { CHROMIUM_PATH: MISSING } });
  await h.install(T);
}, 60_000);
afterAll(() => h?.close());

it('start-up check: one line with the apt-get command', async () => {
  const res = await checkChromium(MISSING);
  expect(res.ok).toBe(false);
  if (!res.ok) {
    expect(res.message).not.toContain('\n');
    expect(res.message).toContain('apt-get install');
  }
});

it('a console medium goes to system_error (browser missing), the user is told, Wantedly still links', async () => {
  h.media!.bizreach.addAccount({ login: 'hr@nochrome.example', password: 'pw-1' });
  const acc = await linkViaSlack(h, T, `U${T.slice(1)}ADMIN`, 'bizreach', { email: 'hr@nochrome.example', password: 'pw-1' }, 'no-chrome');
  const failed = await eventually(async () => {
    const a = await h.app.deps.store.mediaAccounts.findOne({ _id: acc._id });
    return a?.state === 'system_error' ? a : null;
  }, 'system_error');
  expect(failed.lastError?.reason).toBe('service:browser_missing');
  await eventually(() => h.slack.messages({ teamId: T }).find((m) => JSON.stringify(m).includes('Chromium')), 'DM naming Chromium');
  h.media!.wantedly.addAccount({ apiKey: 'wantedly-nochrome-key-01' });
  const w = await linkViaSlack(h, T, `U${T.slice(1)}ADMIN`, 'wantedly', { api_key: 'wantedly-nochrome-key-01' }, 'w-ok');
  await eventually(async () => (await h.app.deps.store.mediaAccounts.findOne({ _id: w._id }))?.state === 'linked', 'wantedly linked');
  expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
});
