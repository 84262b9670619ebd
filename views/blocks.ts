/** Small typed Block Kit builders shared by the views (pure functions, no I/O). */
import type { KnownBlock, PlainTextElement, Button, ContextBlock, SectionBlock } from '@slack/types';
import { escapeSlack, truncateText, unescapeSlack } from '../src/text';

/** plain_text shows characters as they are: the entities the catalogue escaped are turned back. */
export const plain = (text: string, max = 75): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(unescapeSlack(text), max),
  emoji: true,
});

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${truncateText(text, max - 1)}…`;
}

/** Escapes &, < and > as Slack's mrkdwn requires for user-supplied text (the catalogue's escaping too). */
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
