/** Reading a submitted modal's state.values, whatever the element type, and rendering field errors. */
import type { ViewOutput } from '@slack/bolt';
import type { T } from '../src/i18n';
import type { ValidationError } from '../src/domain/errors';

type StateValue = {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
  selected_user?: string | null;
  selected_users?: string[];
  selected_conversation?: string | null;
  selected_channel?: string | null;
};

function element(view: ViewOutput, blockId: string): StateValue | undefined {
  const block = view.state.values[blockId];
  if (!block) return undefined;
  return Object.values(block)[0] as StateValue | undefined;
}

/** A single value of an input block (text, select, user, conversation); undefined when empty. */
export function viewValue(view: ViewOutput, blockId: string): string | undefined {
  const el = element(view, blockId);
  if (!el) return undefined;
  const v = el.value ?? el.selected_option?.value ?? el.selected_user ?? el.selected_conversation ?? el.selected_channel;
  return v === null || v === undefined || v === '' ? undefined : v;
}

/** A multi value (multi_users_select, multi_static_select, checkboxes). */
export function viewValues(view: ViewOutput, blockId: string): string[] {
  const el = element(view, blockId);
  if (!el) return [];
  return el.selected_users ?? el.selected_options?.map((o) => o.value) ?? [];
}

export function inputErrors(t: T, err: ValidationError): Record<string, string> {
  return Object.fromEntries(
    // shown as plain text under the field: the values as they are
    Object.entries(err.fields).map(([block, e]) => [block, t.plain(e.key, e.vars)]),
  );
}
