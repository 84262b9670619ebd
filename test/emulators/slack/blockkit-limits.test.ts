import { describe, expect, it } from 'vitest';
import { validateMessageBlocks, validateView } from '../../../emulators/slack/blockkit-limits';

const pt = (text: string) => ({ type: 'plain_text', text });
const modal = (extra: Record<string, unknown> = {}) => ({ type: 'modal', title: pt('Title'), blocks: [], ...extra });
const button = (extra: Record<string, unknown> = {}) => ({ type: 'button', action_id: 'b', text: pt('Go'), ...extra });
const opts = (n: number) => Array.from({ length: n }, (_, i) => ({ text: pt(`o${i}`), value: `v${i}` }));

describe('Block Kit limits', () => {
  it.each([
    ['modal title > 24', modal({ title: pt('x'.repeat(25)) }), '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
    ['submit > 24', modal({ submit: pt('x'.repeat(25)) }), '[ERROR] must be less than 25 characters [json-pointer:/view/submit/text]'],
    ['close > 24', modal({ close: pt('x'.repeat(25)) }), '[ERROR] must be less than 25 characters [json-pointer:/view/close/text]'],
    ['missing title', { type: 'modal', blocks: [] }, '[ERROR] missing required field: title [json-pointer:/view]'],
    ['missing type', { title: pt('t'), blocks: [] }, '[ERROR] missing required field: type [json-pointer:/view]'],
    ['missing blocks', { type: 'modal', title: pt('t') }, '[ERROR] missing required field: blocks [json-pointer:/view]'],
    ['mrkdwn title', modal({ title: { type: 'mrkdwn', text: 't' } }), '[ERROR] must be a valid enum value [json-pointer:/view/title/type]'],
    [
      '101 blocks',
      modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }),
      '[ERROR] must be less than 101 items [json-pointer:/view/blocks]',
    ],
    [
      'private_metadata > 3000',
      modal({ private_metadata: 'x'.repeat(3001) }),
      '[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]',
    ],
    [
      'callback_id > 255',
      modal({ callback_id: 'x'.repeat(256) }),
      '[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]',
    ],
    [
      'input without submit',
      modal({ blocks: [{ type: 'input', block_id: 'i', label: pt('L'), element: { type: 'plain_text_input', action_id: 'a' } }] }),
      '[ERROR] must provide submit when the view contains input blocks [json-pointer:/view/submit]',
    ],
    [
      'duplicate block_id',
      modal({
        blocks: [
          { type: 'divider', block_id: 'd' },
          { type: 'divider', block_id: 'd' },
        ],
      }),
      '[ERROR] duplicate block_id: d [json-pointer:/view/blocks/1/block_id]',
    ],
    [
      'action_id > 255',
      modal({ blocks: [{ type: 'actions', elements: [button({ action_id: 'a'.repeat(256) })] }] }),
      '[ERROR] must be less than 256 characters [json-pointer:/view/blocks/0/elements/0/action_id]',
    ],
    [
      'button text > 75',
      modal({ blocks: [{ type: 'actions', elements: [button({ text: pt('x'.repeat(76)) })] }] }),
      '[ERROR] must be less than 76 characters [json-pointer:/view/blocks/0/elements/0/text/text]',
    ],
    [
      '101 options',
      modal({ blocks: [{ type: 'section', text: pt('s'), accessory: { type: 'static_select', action_id: 's', options: opts(101) } }] }),
      '[ERROR] must be less than 101 items [json-pointer:/view/blocks/0/accessory/options]',
    ],
    [
      'header not plain_text',
      modal({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] }),
      '[ERROR] must be a valid enum value [json-pointer:/view/blocks/0/text/type]',
    ],
    [
      'unknown block type',
      modal({ blocks: [{ type: 'banner' }] }),
      '[ERROR] failed to match all allowed schemas [json-pointer:/view/blocks/0]',
    ],
  ])('%s', (_name, view, message) => {
    const r = validateView(view);
    expect(r.ok).toBe(false);
    expect(r.messages).toContain(message);
  });

  it('accepts a valid modal and Home view; the same action_id in two blocks is fine (unique per block)', () => {
    const blocks = [
      { type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: 'x'.repeat(3000) }, accessory: button() },
      { type: 'section', block_id: 's2', text: pt('y'), accessory: button() },
      { type: 'input', block_id: 'i', label: pt('L'), element: { type: 'static_select', action_id: 'a', options: opts(100) } },
    ];
    expect(validateView(modal({ blocks, submit: pt('x'.repeat(24)), title: pt('x'.repeat(24)) }))).toEqual({ ok: true, messages: [] });
    expect(validateView({ type: 'home', blocks: blocks.slice(0, 2) }, 'home').ok).toBe(true);
    expect(validateView(modal(), 'home').messages).toEqual([
      '[ERROR] must be a valid enum value (expected home) [json-pointer:/view/type]',
    ]);
    const dup = validateView(modal({ blocks: [{ type: 'actions', elements: [button(), button()] }] }));
    expect(dup.messages).toEqual(['[ERROR] duplicate action_id: b [json-pointer:/view/blocks/0/elements/1/action_id]']);
  });

  it('checks message blocks: 50 max, section text 3000, fields 10 × 2000', () => {
    expect(validateMessageBlocks(Array.from({ length: 50 }, () => ({ type: 'divider' }))).ok).toBe(true);
    expect(validateMessageBlocks(Array.from({ length: 51 }, () => ({ type: 'divider' }))).messages).toEqual([
      '[ERROR] must be less than 51 items [json-pointer:/blocks]',
    ]);
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(validateMessageBlocks([{ type: 'section', fields }]).messages).toEqual([
      '[ERROR] must be less than 11 items [json-pointer:/blocks/0/fields]',
    ]);
    expect(validateMessageBlocks([{ type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] }]).messages).toEqual([
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]',
    ]);
    expect(validateMessageBlocks([{ type: 'section', text: { type: 'mrkdwn', text: '' } }]).ok).toBe(false);
  });
});
