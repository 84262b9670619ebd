/**
 * The views' side of the text boundary: every surface that shows a candidate's name scrubs it the
 * same way (cards did, the pick list and App Home did not), a name left empty by the normaliser shows
 * as "no name", and the mapping banner carries one emoji, whether it reports a change or a refusal.
 */
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n';
import { cardMessage, detailsModal, pickMessage } from '../../views/candidate';
import { homeView } from '../../views/home';
import { mappingModal } from '../../views/mapping';

const t = translator('en');
const NAME = 'Taro Yamada 090-1234-5678 taro@example.com';
const at = new Date('2026-11-01T00:00:00Z');
const summary = {
  id: 'c1',
  name: NAME,
  medium: 'wantedly' as const,
  postingTitle: 'Backend',
  appliedAt: at,
  stage: 'new' as const,
  zone: 'Asia/Tokyo',
};

const shows = (x: unknown) => JSON.stringify(x);

describe('one scrubbing for every surface', () => {
  const surfaces: [string, unknown][] = [
    ['card', cardMessage(t, { ...summary, job: 'Backend', private: false })],
    ['details', detailsModal(t, { ...summary, job: 'Backend', links: [], history: [], canChangeStage: false })],
    ['pick list', pickMessage(t, [{ id: 'c1', name: NAME, medium: 'wantedly', job: null, appliedAt: at }], 'Asia/Tokyo')],
    [
      'App Home',
      homeView(t, {
        role: 'org_admin',
        zone: 'Asia/Tokyo',
        updatedAt: at,
        accounts: null,
        canManageAccounts: false,
        unmappedCount: null,
        recent: [{ job: 'Backend', channelId: 'C0123ABCD', candidates: [{ name: NAME, medium: 'wantedly', appliedAt: at }] }],
      }),
    ],
  ];
  it.each(surfaces)('%s: no phone number, no e-mail address, the name itself kept', (_s, view) => {
    expect(shows(view)).toContain('Taro Yamada');
    expect(shows(view)).not.toContain('1234-5678');
    expect(shows(view)).not.toContain('taro@example.com');
  });

  it('a name the normaliser left empty shows as "no name" (card, pick list)', () => {
    expect(shows(cardMessage(t, { ...summary, name: '', job: null, private: false }))).toContain(t.plain('text.noName'));
    expect(shows(pickMessage(t, [{ id: 'c1', name: '', medium: 'wantedly', job: null, appliedAt: at }], 'UTC'))).toContain(
      t.plain('text.noName'),
    );
  });
});

describe('the mapping banner', () => {
  const overview = { postings: [], rules: [], total: 0, unmapped: 0 };
  const banner = (kind: 'done' | 'refused') =>
    shows(
      mappingModal(t, { overview, page: 0, jobs: [], canEditJob: () => false, banner: { kind, text: 'Something happened.' } }).blocks[0],
    );
  it('one emoji: ✅ for a change, ⛔ for a refusal, never both', () => {
    expect(banner('done')).toContain(':white_check_mark: Something happened.');
    expect(banner('refused')).toContain(':no_entry: Something happened.');
    expect(banner('refused')).not.toContain(':white_check_mark:');
    for (const b of [banner('done'), banner('refused')]) expect(b.match(/:[a-z_]+:/g)).toHaveLength(1);
  });
});
