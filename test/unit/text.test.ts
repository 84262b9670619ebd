/**
 * src/text.ts: the one normaliser (cleanLine, cleanMultiline, hasVisibleText, cleanName), the Slack id
 * shapes, and the escaping rule (t escapes each value once for mrkdwn; t.plain leaves it as it is).
 */
import { describe, expect, it } from 'vitest';
import {
  channelIdSchema,
  cleanLine,
  cleanMultiline,
  cleanName,
  escapeSlack,
  hasVisibleText,
  jobChannelIdSchema,
  teamIdSchema,
  userIdSchema,
  viewIdSchema,
} from '../../src/text';
import { translator } from '../../src/i18n';

const ZWSP = '\u200b';
const ZWJ = '\u200d';
const ZWNJ = '\u200c';
const RLO = '\u202e';
const ENGLAND = '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}';

describe('cleanLine: a single-line value as stored and shown', () => {
  const table: [string, string, string][] = [
    ['plain text stays', 'Smith & Co', 'Smith & Co'],
    ['mrkdwn characters stay (escaping is the views’ job)', '<!channel> *b* _x_ `c`', '<!channel> *b* _x_ `c`'],
    ['NFC: e + combining acute → é', 'Caf\u0065\u0301', 'Café'],
    ['NUL, ESC, DEL and C1 (CSI) removed; NEL is a line break', 'a\u0000b\u001bc\u007fd\u0085e\u009bf', 'abcd ef'],
    ['line breaks and tabs become one space', 'a\r\nb\n\tc', 'a b c'],
    ['U+202E (right-to-left override) removed', `invoice${RLO}fdp.exe`, 'invoicefdp.exe'],
    ['every bidi embedding, override and isolate removed', 'a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i', 'abcdefghi'],
    ['zero-width space, word joiner, BOM, soft hyphen removed', `a${ZWSP}b\u2060c\ufeffd\u00ade`, 'abcde'],
    ['bidi marks LRM/RLM removed', 'a\u200eb\u200fc', 'abc'],
    ['ZWJ inside an emoji sequence kept', `👩${ZWJ}💻 dev`, `👩${ZWJ}💻 dev`],
    ['family emoji kept whole', `👨${ZWJ}👩${ZWJ}👧`, `👨${ZWJ}👩${ZWJ}👧`],
    ['ZWNJ inside a Persian word kept', `می${ZWNJ}خواهم`, `می${ZWNJ}خواهم`],
    ['joiners at the ends or next to a space removed', `${ZWJ}x${ZWNJ} ${ZWJ}y${ZWJ}`, 'x y'],
    ['a flag’s tag sequence kept', `${ENGLAND} team`, `${ENGLAND} team`],
    ['a tag character outside a flag removed', 'x\u{E0041}y', 'xy'],
    ['variation selector (emoji presentation) kept', '❤\ufe0f', '❤\ufe0f'],
    ['the ideographic space between family and given name kept', '山田\u3000太郎', '山田\u3000太郎'],
    ['runs of spaces collapsed, ends trimmed', '  Backend   Engineer ', 'Backend Engineer'],
    ['half-width kana not folded (display keeps what was typed)', 'ﾊﾞｯｸｴﾝﾄﾞ', 'ﾊﾞｯｸｴﾝﾄﾞ'],
    ['a format character between a letter and its mark: composed after removal', `e${ZWSP}\u0301`, 'é'],
  ];
  it.each(table)('%s', (_what, input, expected) => {
    expect(cleanLine(input)).toBe(expected);
  });

  it('is idempotent on every case', () => {
    for (const [, input] of table) expect(cleanLine(cleanLine(input))).toBe(cleanLine(input));
  });
});

describe('cleanMultiline: notes keep their lines', () => {
  it('keeps \\n and tabs, normalises CRLF, drops other controls and overrides, at most one blank line', () => {
    expect(cleanMultiline(`first\r\nsecond\u0000\n\n\n\n\tindented  \n${RLO}last`)).toBe('first\nsecond\n\n\tindented\nlast');
  });
});

describe('hasVisibleText and cleanName: names must show something', () => {
  const invisible: [string, string][] = [
    ['empty', ''],
    ['spaces', '   '],
    ['zero-width spaces only', ZWSP.repeat(5)],
    ['NUL and ESC only', '\u0000\u001b'],
    ['RLO only', RLO],
    ['ideographic spaces only', '\u3000\u3000'],
    ['Hangul filler', '\u3164'],
    ['braille blank', '\u2800\u2800'],
    ['a lone combining mark', '\u0301'],
    ['ZWJ only', ZWJ],
  ];
  it.each(invisible)('refuses %s', (_what, input) => {
    expect(hasVisibleText(cleanLine(input))).toBe(false);
    expect(cleanName(input, 80)).toEqual({ ok: false, reason: 'empty' });
  });

  it('accepts a visible name, cleaned, and refuses one too long after cleaning', () => {
    expect(cleanName(`${ZWSP}Backend${RLO}`, 80)).toEqual({ ok: true, value: 'Backend' });
    expect(cleanName('😀', 80)).toEqual({ ok: true, value: '😀' });
    expect(cleanName('x'.repeat(81), 80)).toEqual({ ok: false, reason: 'tooLong', max: 80 });
    // invisible characters do not count towards the length
    expect(cleanName(`${'x'.repeat(80)}${ZWSP.repeat(50)}`, 80)).toMatchObject({ ok: true });
  });
});

describe('Slack ids: their shapes and a bound on their length', () => {
  it('accepts real-looking ids and refuses the rest', () => {
    expect(channelIdSchema.safeParse('C0123456789').success).toBe(true);
    expect(channelIdSchema.safeParse('D0123ABCD').success).toBe(true);
    expect(jobChannelIdSchema.safeParse('D0123ABCD').success).toBe(false);
    expect(jobChannelIdSchema.safeParse('G0123ABCD').success).toBe(true);
    expect(userIdSchema.safeParse('U0123ABCD').success).toBe(true);
    expect(userIdSchema.safeParse('W0123ABCD').success).toBe(true);
    expect(teamIdSchema.safeParse('T0123ABCD').success).toBe(true);
    expect(viewIdSchema.safeParse('V0123ABCD').success).toBe(true);
    for (const bad of ['', 'c0123', 'C', 'C0123<@U1>', 'C 0123', `C${'A'.repeat(9_999)}`, `C${'A'.repeat(21)}`, 'U0123'])
      expect(jobChannelIdSchema.safeParse(bad).success).toBe(false);
    expect(userIdSchema.safeParse(`U${'1'.repeat(9_999)}`).success).toBe(false);
    expect(viewIdSchema.safeParse('../../x').success).toBe(false);
  });
});

describe('escaping exactly once', () => {
  const t = translator('en');
  const evil = 'Smith & Co <!channel> <@U123>';
  it('t escapes each value once for mrkdwn; t.plain leaves it as it is', () => {
    expect(escapeSlack(evil)).toBe('Smith &amp; Co &lt;!channel&gt; &lt;@U123&gt;');
    expect(t('jobs.updated', { name: evil })).toContain(escapeSlack(evil));
    expect(t('jobs.updated', { name: evil })).not.toContain('&amp;amp;');
    expect(t.plain('jobs.updated', { name: evil })).toContain(evil);
  });
  it('app-made markup in the catalogue is not escaped, in both languages', () => {
    for (const l of ['en', 'ja'] as const) {
      expect(translator(l)('jobs.created', { name: 'x', channel: 'C0123ABCD' })).toContain('<#C0123ABCD>');
      expect(translator(l)('media.which', { media: 'x' })).toContain('&lt;');
    }
  });
});
