/** Reading a submitted modal's state.values, whatever the element type, and rendering field errors. */
import type { ViewOutput } from '@slack/bolt';
import { z } from 'zod';
import type { T } from '../src/i18n';
import type { ValidationError } from '../src/domain/errors';

/**
 * An input's state as Slack sends it, whatever the element type. A crafted submission can put
 * anything there (a number for a text, a string for a user list): `invalidFields` names the blocks
 * that do not have this shape, and the submission is answered with an error under them.
 */
const option = z.looseObject({ value: z.string() });
const stateValue = z.looseObject({
  type: z.string().optional(),
  value: z.string().nullish(),
  selected_option: option.nullish(),
  selected_options: z.array(option).nullish(),
  selected_user: z.string().nullish(),
  selected_users: z.array(z.string()).nullish(),
  selected_conversation: z.string().nullish(),
  selected_conversations: z.array(z.string()).nullish(),
  selected_channel: z.string().nullish(),
  selected_channels: z.array(z.string()).nullish(),
  selected_date: z.string().nullish(),
  selected_time: z.string().nullish(),
});
type StateValue = z.infer<typeof stateValue>;
/** A block's state: action_id → the element's state. */
const blockState = z.record(z.string(), stateValue);

/** The block ids of a submitted view whose state is not of the shape above (crafted payloads). */
export function invalidFields(view: ViewOutput): string[] {
  const values: Record<string, unknown> = view.state.values;
  return Object.keys(values).filter((block) => !blockState.safeParse(values[block]).success);
}

function element(view: ViewOutput, blockId: string): StateValue | undefined {
  const values: Record<string, unknown> = view.state.values;
  const block = Object.hasOwn(values, blockId) ? blockState.safeParse(values[blockId]) : undefined;
  return block?.success ? Object.values(block.data)[0] : undefined;
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
  return el.selected_users ?? el.selected_options?.map((o) => o.value) ?? el.selected_conversations ?? el.selected_channels ?? [];
}

export function inputErrors(t: T, err: ValidationError): Record<string, string> {
  return Object.fromEntries(
    // shown as plain text under the field: the values as they are
    Object.entries(err.fields).map(([block, e]) => [block, t.plain(e.key, e.vars)]),
  );
}
