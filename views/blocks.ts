/** Small typed Block Kit builders shared by the views (pure functions, no I/O). */
import type { KnownBlock, PlainTextElement, Button, ContextBlock, SectionBlock } from '@slack/types';
import { escapeSlack, truncateText } from '../src/text';

/**
 * plain_text shows every character as it is: `text` is never escaped (a raw value, or `t.plain`,
 * never `t`, whose values are escaped for mrkdwn). See src/text.ts escapeSlack for the whole rule.
 */
export const plain = (text: string, max = 75): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text, max),
  emoji: true,
});

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${truncateText(text, max - 1)}…`;
}

/**
 * Escapes &, < and > for a raw value a view puts into mrkdwn itself. Never for what `t` returned
 * (already escaped: that was the double escaping of `Smith &amp;amp; Co`).
 */
export const esc = (text: string): string => escapeSlack(text);

export const section = (text: string, accessory?: SectionBlock['accessory']): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 3000) },
  ...(accessory ? { accessory } : {}),
});

export const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text, 150) });
export const divider = (): KnownBlock => ({ type: 'divider' });
export const context = (...texts: string[]): ContextBlock => ({
  type: 'context',
  elements: texts.slice(0, 10).map((t) => ({ type: 'mrkdwn' as const, text: truncate(t, 3000) })),
});

export function button(text: string, actionId: string, value?: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text), action_id: actionId, ...(value ? { value } : {}), ...(style ? { style } : {}) };
}

/** An ephemeral/message body with a text fallback for notifications. */
export function message(text: string, blocks?: KnownBlock[]) {
  return { text: truncate(text, 3000), ...(blocks ? { blocks: blocks.slice(0, 50) } : {}) };
}
