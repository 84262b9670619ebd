import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CONFIGS, CONSOLE_MEDIA } from '../../connectors/console/config';
import { classifyPage, parseConsoleTime, parseListPage } from '../../connectors/console/parse';
import {
  compareApplied,
  decodeApiCursor,
  decodePositionCursor,
  encodeApiCursor,
  encodePositionCursor,
  isAfter,
} from '../../connectors/cursor';
import { parseRetryAfter, scrub, toConnectorError } from '../../connectors/errors';
import { entryToApplicant, parseEntriesResponse } from '../../connectors/wantedly/parse';
import { AuthError, ServiceError } from '../../connectors/types';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');
const HOST = 'https://console.example.jp';

function expectServiceError(fn: () => unknown, reason: ServiceError['reason']) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).reason).toBe(reason);
    return err as ServiceError;
  }
  throw new Error('expected a ServiceError');
}

describe('console list parsing (saved emulator pages)', () => {
  for (const medium of CONSOLE_MEDIA) {
    it(`${medium}: reads 20 rows with ids, names, postings, JST→UTC times and absolute permalinks`, () => {
      const page = parseListPage(
        fixture(`${medium}-list-page1.html`),
        CONSOLE_CONFIGS[medium],
        `${HOST}/applicants?sort=applied_asc&page=1`,
      );
      expect(page.applicants).toHaveLength(20);
      expect(page.total).toBe(45);
      expect(page.nextHref).toBe('/applicants?sort=applied_asc&page=2');
      const first = page.applicants[0];
      expect(first.appliedAt).toBe('2026-11-01T00:00:00.000Z');
      expect(first.name).toMatch(/^\S+ \S+$/);
      expect(first.profileUrl).toBe(`${HOST}/applicants/${first.externalId}`);
      expect(first.postingId).toMatch(/\d{4}$/);
      expect(first.postingTitle.length).toBeGreaterThan(2);
      expect(first.isMeetup).toBe(false);
      for (const a of page.applicants) {
        if (medium === 'findy') expect(a.age).toBeUndefined();
        else expect(a.age).toBeGreaterThanOrEqual(22);
      }
      const sorted = [...page.applicants].sort(compareApplied);
      expect(sorted.map((a) => a.externalId)).toEqual(page.applicants.map((a) => a.externalId));
    });

    it(`${medium}: last page has no 次へ link`, () => {
      const page = parseListPage(fixture(`${medium}-list-last.html`), CONSOLE_CONFIGS[medium], `${HOST}/applicants?page=3`);
      expect(page.applicants).toHaveLength(5);
      expect(page.nextHref).toBeNull();
    });

    it(`${medium}: a changed layout is a loud ServiceError('layout_changed')`, () => {
      expectServiceError(() => parseListPage(fixture(`${medium}-list-changed.html`), CONSOLE_CONFIGS[medium], HOST), 'layout_changed');
      // Same table class but renamed headers.
      const renamed = fixture(`${medium}-list-changed.html`).replace('class="entry-grid"', 'class="applicant-list"');
      const err = expectServiceError(() => parseListPage(renamed, CONSOLE_CONFIGS[medium], HOST), 'layout_changed');
      expect(err.message).toMatch(/応募日時|氏名/);
    });
  }

  it('a row with an unreadable date or missing link is layout_changed, not skipped', () => {
    const html = fixture('green-list-page1.html');
    expectServiceError(() => parseListPage(html.replace(/2026\/11\/01 09:00/, '11月1日'), CONSOLE_CONFIGS.green, HOST), 'layout_changed');
    expectServiceError(
      () =>
        parseListPage(html.replace(/<a class="applicant-link" href="[^"]+">/, '<a class="applicant-link">'), CONSOLE_CONFIGS.green, HOST),
      'layout_changed',
    );
    expectServiceError(
      () => parseListPage(html.replace(/<td><span class="status">[^<]*<\/span><\/td><\/tr>/, '</tr>'), CONSOLE_CONFIGS.green, HOST),
      'layout_changed',
    );
    expectServiceError(() => parseListPage('<html><body>maintenance</body></html>', CONSOLE_CONFIGS.green, HOST), 'layout_changed');
  });

  it('an empty list parses to no applicants', () => {
    const html = fixture('paiza-list-last.html').replace(/<tbody>[\s\S]*<\/tbody>/, '<tbody>\n</tbody>');
    expect(parseListPage(html, CONSOLE_CONFIGS.paiza, HOST).applicants).toEqual([]);
  });

  it('parses JST console times to UTC', () => {
    expect(parseConsoleTime('2026/11/20 14:03', 540)).toBe('2026-11-20T05:03:00.000Z');
    expect(parseConsoleTime('2026-01-01 08:59:30', 540)).toBe('2025-12-31T23:59:30.000Z');
    expectServiceError(() => parseConsoleTime('昨日', 540), 'layout_changed');
  });

  it('classifies login outcomes from saved pages', () => {
    const c = CONSOLE_CONFIGS.bizreach;
    expect(classifyPage(fixture('bizreach-login-failed.html'), `${HOST}/login`, c)).toBe('login_failed');
    expect(fixture('bizreach-login-failed.html')).toContain('メールアドレスまたはパスワードが正しくありません');
    expect(classifyPage(fixture('bizreach-locked.html'), `${HOST}/login`, c)).toBe('locked');
    expect(classifyPage(fixture('bizreach-otp.html'), `${HOST}/login/otp`, c)).toBe('otp');
    expect(classifyPage(fixture('bizreach-list-page1.html'), `${HOST}/applicants?page=1`, c)).toBe('list');
    expect(classifyPage(fixture('bizreach-detail.html'), `${HOST}/applicants/BR1`, c)).toBe('list');
  });
});

describe('Wantedly JSON parsing', () => {
  const json = JSON.parse(fixture('wantedly-entries.json'));

  it('maps entries to applicants; meetups flagged; no age; ticket URL as profile', () => {
    const page = parseEntriesResponse(json);
    const apps = page.data.map(entryToApplicant);
    expect(apps).toHaveLength(10);
    expect(page.has_more).toBe(true);
    expect(apps.some((a) => a.isMeetup)).toBe(true);
    expect(apps.some((a) => !a.isMeetup)).toBe(true);
    for (const [i, a] of apps.entries()) {
      expect(a.age).toBeUndefined();
      expect(a.profileUrl).toBe(`https://www.wantedly.com/enterprise/tickets/${a.externalId}`);
      expect(a.isMeetup).toBe(json.data[i].kind === 'meetup');
      expect(a.postingTitle).toBe(json.data[i].project_title);
    }
  });

  it('a changed response shape is ServiceError(bad_response)', () => {
    expectServiceError(() => parseEntriesResponse({ items: json.data }), 'bad_response');
    const broken = structuredClone(json);
    delete broken.data[3].created_at;
    expectServiceError(() => parseEntriesResponse(broken), 'bad_response');
    broken.data[3].created_at = 'yesterday';
    expectServiceError(() => parseEntriesResponse(broken), 'bad_response');
  });
});

describe('cursors and error helpers', () => {
  it('position cursors round-trip and order ties by id', () => {
    const c = decodePositionCursor(encodePositionCursor('2026-11-01T00:00:00.000Z', 'BR0000010'))!;
    expect(isAfter({ appliedAt: '2026-11-01T00:00:00.000Z', externalId: 'BR0000011' }, c)).toBe(true);
    expect(isAfter({ appliedAt: '2026-11-01T00:00:00.000Z', externalId: 'BR0000010' }, c)).toBe(false);
    expect(isAfter({ appliedAt: '2026-10-31T23:59:00.000Z', externalId: 'BR0000099' }, c)).toBe(false);
    expect(
      compareApplied({ appliedAt: '2026-11-01T00:00:00Z', externalId: '9' }, { appliedAt: '2026-11-01T00:00:00Z', externalId: '10' }),
    ).toBeLessThan(0);
    expect(decodeApiCursor(encodeApiCursor('abc'))!.api).toBe('abc');
    expect(decodePositionCursor(null)).toBeNull();
    expectServiceError(() => decodePositionCursor('not json'), 'bad_response');
    expectServiceError(() => decodeApiCursor(encodePositionCursor('2026-11-01T00:00:00Z', '1')), 'bad_response');
  });

  it('Retry-After and scrubbing', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(scrub('login s3cret-pw failed\nsecond line', ['s3cret-pw'])).toBe('login *** failed');
    const e = toConnectorError(new AuthError('locked', 'user hr@example.jp locked'), ['hr@example.jp']);
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).not.toContain('hr@example.jp');
    const t = toConnectorError(Object.assign(new Error('Timeout 100ms exceeded'), { name: 'TimeoutError' }), []);
    expect((t as ServiceError).reason).toBe('timeout');
  });
});

describe('page classification is not fooled by table contents', () => {
  it('a posting named メンテナンス中途採用 on a list page is still a list page', () => {
    const c = CONSOLE_CONFIGS.green;
    const html = fixture('green-list-page1.html').replace(
      /(<a class="job-link"[^>]*>)[^<]*/,
      '$1設備メンテナンス中途採用（アカウントがロックされています）',
    );
    expect(classifyPage(html, `${HOST}/applicants?page=1`, c)).toBe('list');
    expect(parseListPage(html, c, HOST).applicants[0].postingTitle).toBe('設備メンテナンス中途採用（アカウントがロックされています）');
  });
});

describe('text from the media is cleaned like what people type (src/text.ts cleanLine)', () => {
  const RLO = '\u202e';
  it('a console row: U+202E, NUL, ESC and zero-width spaces leave the name and the posting title', () => {
    const c = CONSOLE_CONFIGS.green;
    const html = fixture('green-list-page1.html')
      .replace(/(<a class="job-link"[^>]*>)[^<]*/, `$1\u200bBackend${RLO}gnp.exe\u0000`)
      .replace(/(<a class="applicant-link"[^>]*>)[^<]*/, `$1${RLO}山田\u0000\u001b 太郎\u200b`);
    const [first] = parseListPage(html, c, HOST).applicants;
    expect(first.name).toBe('山田 太郎');
    expect(first.postingTitle).toBe('Backendgnp.exe');
  });

  it('a name of only invisible characters does not fail the page: it is stored empty (shown as "no name")', () => {
    const c = CONSOLE_CONFIGS.green;
    const html = fixture('green-list-page1.html').replace(/(<a class="applicant-link"[^>]*>)[^<]*/, '$1\u200b\u200b\u202e');
    const page = parseListPage(html, c, HOST);
    expect(page.applicants).toHaveLength(20);
    expect(page.applicants[0].name).toBe('');
  });

  it('a Wantedly entry: the user name and the project title are cleaned', () => {
    const entry = parseEntriesResponse({
      data: [
        {
          id: 1,
          project_id: 2,
          project_title: `\u2066Backend\u2069 engineer${RLO}`,
          kind: 'application',
          created_at: '2026-11-01T00:00:00Z',
          ticket_url: 'https://www.wantedly.com/enterprise/tickets/1',
          user: { name: `${RLO}Hanako\u0000 Yamada\u001b[31m` },
        },
      ],
      next_cursor: null,
    }).data[0];
    expect(entryToApplicant(entry)).toMatchObject({ name: 'Hanako Yamada[31m', postingTitle: 'Backend engineer' });
  });
});
