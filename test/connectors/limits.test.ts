/**
 * Text from the media is bounded at the connector boundary: an overlong name, title, URL or id is
 * cut (on a code-point boundary) instead of failing the import or reaching views/ whole.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { getConnector } from '../../connectors/index';
import { CONSOLE_CONFIGS } from '../../connectors/console/config';
import { parseListPage, rowToApplicant } from '../../connectors/console/parse';
import { entryToApplicant, parseEntriesResponse } from '../../connectors/wantedly/parse';
import { ServiceError, type Credentials, type NormalizedApplicant } from '../../connectors/types';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');
const HOST = 'https://console.example.jp';
const HUGE = 100_000;
const EMOJI = '😀'; // two UTF-16 code units

/** True when the string contains a lone (unpaired) surrogate. */
function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function expectBounded(a: NormalizedApplicant) {
  expect(a.name.length).toBeLessThanOrEqual(200);
  expect(a.postingTitle.length).toBeLessThanOrEqual(300);
  expect(a.profileUrl.length).toBeLessThanOrEqual(2048);
  expect(a.externalId.length).toBeLessThanOrEqual(200);
  expect(a.postingId.length).toBeLessThanOrEqual(200);
  for (const s of [a.name, a.postingTitle, a.profileUrl, a.externalId, a.postingId]) expect(hasLoneSurrogate(s)).toBe(false);
}

describe('Wantedly: overlong text is truncated, not rejected', () => {
  const KEY = 'wk_limits_0123456789';
  const creds: Credentials = { medium: 'wantedly', apiKey: KEY };
  let emu: WantedlyEmulator;
  beforeAll(async () => {
    emu = await startWantedlyEmulator();
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    emu.addAccount({ apiKey: KEY });
    emu.setRateLimit(0);
  });

  it('a 100,000-character name (and title) through the connector → name ≤ 200, title ≤ 300, quickly', async () => {
    emu.seedEntries(KEY, [
      {
        project_id: 1,
        project_title: 'タ'.repeat(HUGE),
        kind: 'application',
        created_at: '2026-11-01T00:00:00Z',
        user: { name: 'あ'.repeat(HUGE) },
      },
      { project_id: 2, project_title: 'Backend', kind: 'application', created_at: '2026-11-01T00:01:00Z', user: { name: '山田 太郎' } },
    ]);
    const started = performance.now();
    const r = await getConnector('wantedly').fetchApplicants(creds, { cursor: null, limit: 10 }, { baseUrl: emu.url, timeoutMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(r.applicants).toHaveLength(2);
    expect(r.applicants[0].name).toBe('あ'.repeat(200));
    expect(r.applicants[0].postingTitle).toBe('タ'.repeat(300));
    expect(r.applicants[1].name).toBe('山田 太郎');
    r.applicants.forEach(expectBounded);
  });

  it('an emoji straddling the cut is dropped whole, never split into half a surrogate pair', () => {
    const entry = (name: string, title: string) => ({
      id: 7,
      project_id: 8,
      project_title: title,
      kind: 'application',
      created_at: '2026-11-01T00:00:00Z',
      ticket_url: 'https://www.wantedly.com/enterprise/tickets/7',
      user: { name },
    });
    const name = 'a'.repeat(199) + EMOJI + 'b'.repeat(50); // the emoji occupies code units 199-200
    const title = 'x'.repeat(299) + EMOJI.repeat(3);
    const [a] = parseEntriesResponse({ data: [entry(name, title)], next_cursor: null }).data.map(entryToApplicant);
    expect(a.name).toBe('a'.repeat(199));
    expect(a.postingTitle).toBe('x'.repeat(299));
    // An emoji that fits entirely is kept.
    const [b] = parseEntriesResponse({ data: [entry(`${'a'.repeat(198) + EMOJI}zzz`, 't')], next_cursor: null }).data.map(entryToApplicant);
    expect(b.name).toBe('a'.repeat(198) + EMOJI);
    expectBounded(a);
    expectBounded(b);
  });

  it('overlong ids and ticket URL are cut too; an empty name is still refused', () => {
    const [a] = parseEntriesResponse({
      data: [
        {
          id: '9'.repeat(5_000),
          project_id: 'p'.repeat(5_000),
          project_title: 'Backend',
          kind: 'meetup',
          created_at: '2026-11-01T00:00:00Z',
          ticket_url: `https://www.wantedly.com/enterprise/tickets/${'1'.repeat(10_000)}`,
          user: { name: 'Ann' },
        },
      ],
      next_cursor: null,
    }).data.map(entryToApplicant);
    expectBounded(a);
    expect(a.externalId).toBe('9'.repeat(200));
    expect(a.profileUrl.startsWith('https://www.wantedly.com/enterprise/tickets/111')).toBe(true);
    expect(() =>
      parseEntriesResponse({
        data: [
          {
            id: 1,
            project_id: 1,
            project_title: 't',
            kind: 'meetup',
            created_at: '2026-11-01T00:00:00Z',
            ticket_url: 'https://x.jp/1',
            user: { name: '' },
          },
        ],
        next_cursor: null,
      }),
    ).toThrow(ServiceError);
  });
});

describe('consoles: overlong table cells are truncated, not rejected', () => {
  const c = CONSOLE_CONFIGS.bizreach;

  it('a list page whose first applicant has a 100,000-character name parses fast with the name cut to 200', () => {
    const html = fixture('bizreach-list-page1.html');
    const page1 = parseListPage(html, c, `${HOST}/applicants?sort=applied_asc&page=1`);
    const victim = page1.applicants[0];
    const huge = html.replace(`>${victim.name}</a>`, `>${'あ'.repeat(HUGE)}</a>`);
    expect(huge).not.toBe(html);
    const started = performance.now();
    const page = parseListPage(huge, c, `${HOST}/applicants?sort=applied_asc&page=1`);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(page.applicants).toHaveLength(20);
    expect(page.applicants[0].externalId).toBe(victim.externalId);
    expect(page.applicants[0].name).toBe('あ'.repeat(200));
    page.applicants.forEach(expectBounded);
  });

  it('row fields: emoji at the cut kept whole or dropped whole; long ids/titles cut', () => {
    const a = rowToApplicant(
      {
        appliedAtText: '2026/11/20 14:03',
        name: `${'a'.repeat(199) + EMOJI}tail`,
        ageText: '31歳',
        applicantHref: `/applicants/${'B'.repeat(3_000)}`,
        postingHref: `/jobs/${'J'.repeat(3_000)}`,
        postingTitle: 'y'.repeat(299) + EMOJI,
      },
      c,
      `${HOST}/applicants`,
    );
    expect(a.name).toBe('a'.repeat(199));
    expect(a.postingTitle).toBe('y'.repeat(299));
    expect(a.externalId).toBe('B'.repeat(200));
    expect(a.postingId).toBe('J'.repeat(200));
    expect(a.age).toBe(31);
    expectBounded(a);
  });
});
