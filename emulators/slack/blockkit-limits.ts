// Block Kit limits as Slack enforces them (docs.slack.dev reference/block-kit, @slack/types doc
// comments; Slack documents them at https://api.slack.com/reference/block-kit). Each check yields a message shaped like
// Slack's: "[ERROR] must be less than 51 items [json-pointer:/blocks]".
// Messages for limits Slack documents are copied in form ("must be less than N characters/items",
// "missing required field", "must provide a string"...); wording for rarer cases is approximate.

type Json = Record<string, unknown>;

export type Surface = 'message' | 'modal' | 'home';

export interface BlockKitResult {
  ok: boolean;
  /** Slack-style "[ERROR] … [json-pointer:…]" strings (response_metadata.messages). */
  messages: string[];
}

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  id: 255, // block_id, action_id, callback_id, external_id
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  selectOptions: 100,
  optionGroupLabel: 75,
  overflowOptions: 5,
  checkboxOptions: 10,
  placeholder: 150,
  textInputLength: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  viewBytes: 250_000,
  imageAltText: 2000,
  imageUrl: 3000,
  messageText: 40_000,
  updateText: 4000,
  attachments: 100,
} as const;

const BLOCK_TYPES = new Set([
  'section',
  'divider',
  'image',
  'actions',
  'context',
  'input',
  'header',
  'rich_text',
  'video',
  'file',
  'markdown',
  'call',
  'context_actions',
  'table',
]);

const INTERACTIVE = new Set([
  'button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
  'workflow_button',
]);

const INPUT_ELEMENTS = new Set([
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
]);

const ACCESSORY = new Set([
  'button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'checkboxes',
  'radio_buttons',
  'image',
  'workflow_button',
]);

class Checker {
  messages: string[] = [];
  err(msg: string, ptr: string): void {
    this.messages.push(`[ERROR] ${msg} [json-pointer:${ptr}]`);
  }
  isObj(v: unknown): v is Json {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
  str(v: unknown, ptr: string, max: number, opts: { required?: boolean; min?: number } = {}): boolean {
    if (v === undefined || v === null) {
      if (opts.required) this.err('must provide a string', ptr);
      return false;
    }
    if (typeof v !== 'string') {
      this.err('must provide a string', ptr);
      return false;
    }
    if (v.length > max) this.err(`must be less than ${max + 1} characters`, ptr);
    if (opts.min !== undefined && v.length < opts.min) this.err(`must be more than ${opts.min - 1} characters`, ptr);
    return true;
  }
  /** A text composition object. kind 'plain' = plain_text only; 'any' = plain_text or mrkdwn. */
  text(v: unknown, ptr: string, max: number, kind: 'plain' | 'any', required = true): void {
    if (v === undefined || v === null) {
      if (required) this.err('must provide an object', ptr);
      return;
    }
    if (!this.isObj(v)) {
      this.err('must provide an object', ptr);
      return;
    }
    const allowed = kind === 'plain' ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (typeof v.type !== 'string' || !allowed.includes(v.type)) {
      this.err('must be a valid enum value', `${ptr}/type`);
    }
    this.str(v.text, `${ptr}/text`, max, { required: true, min: 1 });
    if (v.type === 'mrkdwn' && v.emoji !== undefined) this.err('unsupported property: emoji for mrkdwn', `${ptr}/emoji`);
  }
  array(v: unknown, ptr: string, max: number, opts: { min?: number; required?: boolean } = {}): unknown[] | null {
    if (v === undefined || v === null) {
      if (opts.required) this.err('must provide an array', ptr);
      return null;
    }
    if (!Array.isArray(v)) {
      this.err('must provide an array', ptr);
      return null;
    }
    if (v.length > max) this.err(`must be less than ${max + 1} items`, ptr);
    if (opts.min !== undefined && v.length < opts.min) this.err(`must provide at least ${opts.min} items`, ptr);
    return v;
  }
  confirm(v: unknown, ptr: string): void {
    if (v === undefined) return;
    if (!this.isObj(v)) {
      this.err('must provide an object', ptr);
      return;
    }
    this.text(v.title, `${ptr}/title`, LIMITS.confirmTitle, 'plain');
    this.text(v.text, `${ptr}/text`, LIMITS.confirmText, 'any');
    this.text(v.confirm, `${ptr}/confirm`, LIMITS.confirmButton, 'plain');
    this.text(v.deny, `${ptr}/deny`, LIMITS.confirmButton, 'plain');
  }
  option(v: unknown, ptr: string, kind: 'plain' | 'any'): void {
    if (!this.isObj(v)) {
      this.err('must provide an object', ptr);
      return;
    }
    this.text(v.text, `${ptr}/text`, LIMITS.optionText, kind);
    this.str(v.value, `${ptr}/value`, LIMITS.optionValue, { required: true });
    if (v.description !== undefined) this.text(v.description, `${ptr}/description`, LIMITS.optionDescription, kind);
    if (v.url !== undefined) this.str(v.url, `${ptr}/url`, LIMITS.url);
  }
  options(v: unknown, ptr: string, max: number, kind: 'plain' | 'any', required: boolean): void {
    const arr = this.array(v, ptr, max, { required, min: required ? 1 : undefined });
    arr?.forEach((o, i) => {
      this.option(o, `${ptr}/${i}`, kind);
    });
  }
  element(el: unknown, ptr: string, allowed: Set<string>, actionIds: Set<string>): void {
    if (!this.isObj(el)) {
      this.err('must provide an object', ptr);
      return;
    }
    const type = el.type;
    if (typeof type !== 'string' || !allowed.has(type)) {
      this.err('failed to match all allowed schemas', ptr);
      return;
    }
    if (el.action_id !== undefined && this.str(el.action_id, `${ptr}/action_id`, LIMITS.id)) {
      const id = el.action_id as string;
      if (actionIds.has(id)) this.err(`duplicate action_id: ${id}`, `${ptr}/action_id`);
      actionIds.add(id);
    }
    if (el.placeholder !== undefined) this.text(el.placeholder, `${ptr}/placeholder`, LIMITS.placeholder, 'plain');
    this.confirm(el.confirm, `${ptr}/confirm`);
    switch (type) {
      case 'button':
        this.text(el.text, `${ptr}/text`, LIMITS.buttonText, 'plain');
        if (el.value !== undefined) this.str(el.value, `${ptr}/value`, LIMITS.buttonValue);
        if (el.url !== undefined) this.str(el.url, `${ptr}/url`, LIMITS.url);
        if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
          this.err('must be a valid enum value', `${ptr}/style`);
        }
        break;
      case 'static_select':
      case 'multi_static_select': {
        const hasOptions = el.options !== undefined;
        const hasGroups = el.option_groups !== undefined;
        if (hasOptions && hasGroups) this.err('must provide either options or option_groups, not both', ptr);
        if (!hasOptions && !hasGroups) this.err('missing required field: options', ptr);
        if (hasOptions) this.options(el.options, `${ptr}/options`, LIMITS.selectOptions, 'plain', true);
        if (hasGroups) {
          const groups = this.array(el.option_groups, `${ptr}/option_groups`, LIMITS.selectOptions, { min: 1 });
          groups?.forEach((g, i) => {
            const gp = `${ptr}/option_groups/${i}`;
            if (!this.isObj(g)) {
              this.err('must provide an object', gp);
              return;
            }
            this.text(g.label, `${gp}/label`, LIMITS.optionGroupLabel, 'plain');
            this.options(g.options, `${gp}/options`, LIMITS.selectOptions, 'plain', true);
          });
        }
        if (el.initial_option !== undefined) this.option(el.initial_option, `${ptr}/initial_option`, 'plain');
        break;
      }
      case 'overflow':
        this.options(el.options, `${ptr}/options`, LIMITS.overflowOptions, 'plain', true);
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.options(el.options, `${ptr}/options`, LIMITS.checkboxOptions, 'any', true);
        break;
      case 'plain_text_input':
        if (el.min_length !== undefined && (typeof el.min_length !== 'number' || el.min_length > LIMITS.textInputLength)) {
          this.err(`must be less than ${LIMITS.textInputLength + 1}`, `${ptr}/min_length`);
        }
        if (
          el.max_length !== undefined &&
          (typeof el.max_length !== 'number' || el.max_length > LIMITS.textInputLength || el.max_length < 1)
        ) {
          this.err(`must be less than ${LIMITS.textInputLength + 1}`, `${ptr}/max_length`);
        }
        if (el.initial_value !== undefined) this.str(el.initial_value, `${ptr}/initial_value`, LIMITS.textInputLength);
        break;
      case 'image':
        this.imageFields(el, ptr);
        break;
      case 'datepicker':
        if (el.initial_date !== undefined && !(typeof el.initial_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(el.initial_date))) {
          this.err('must match the format YYYY-MM-DD', `${ptr}/initial_date`);
        }
        break;
      case 'timepicker':
        if (el.initial_time !== undefined && !(typeof el.initial_time === 'string' && /^\d{2}:\d{2}$/.test(el.initial_time))) {
          this.err('must match the format HH:mm', `${ptr}/initial_time`);
        }
        break;
      default:
        break;
    }
  }
  imageFields(el: Json, ptr: string): void {
    if (el.image_url === undefined && el.slack_file === undefined) this.err('missing required field: image_url', ptr);
    if (el.image_url !== undefined) this.str(el.image_url, `${ptr}/image_url`, LIMITS.imageUrl, { min: 1 });
    this.str(el.alt_text, `${ptr}/alt_text`, LIMITS.imageAltText, { required: true });
  }
  block(b: unknown, ptr: string, blockIds: Set<string>, surface: Surface): void {
    if (!this.isObj(b)) {
      this.err('must provide an object', ptr);
      return;
    }
    const type = b.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.err('failed to match all allowed schemas', ptr);
      return;
    }
    if (b.block_id !== undefined && this.str(b.block_id, `${ptr}/block_id`, LIMITS.id, { min: 1 })) {
      const id = b.block_id as string;
      if (blockIds.has(id)) this.err(`duplicate block_id: ${id}`, `${ptr}/block_id`);
      blockIds.add(id);
    }
    // action_id must be unique within the block (Slack allows the same action_id in two blocks)
    const actionIds = new Set<string>();
    switch (type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) this.err('must provide either text or fields', ptr);
        if (b.text !== undefined) this.text(b.text, `${ptr}/text`, LIMITS.sectionText, 'any');
        if (b.fields !== undefined) {
          const f = this.array(b.fields, `${ptr}/fields`, LIMITS.sectionFields, { min: 1 });
          f?.forEach((t, i) => {
            this.text(t, `${ptr}/fields/${i}`, LIMITS.fieldText, 'any');
          });
        }
        if (b.accessory !== undefined) this.element(b.accessory, `${ptr}/accessory`, ACCESSORY, actionIds);
        break;
      }
      case 'header':
        this.text(b.text, `${ptr}/text`, LIMITS.headerText, 'plain');
        break;
      case 'actions': {
        const els = this.array(b.elements, `${ptr}/elements`, LIMITS.actionsElements, { required: true, min: 1 });
        els?.forEach((e, i) => {
          this.element(e, `${ptr}/elements/${i}`, INTERACTIVE, actionIds);
        });
        break;
      }
      case 'context': {
        const els = this.array(b.elements, `${ptr}/elements`, LIMITS.contextElements, { required: true, min: 1 });
        els?.forEach((e, i) => {
          const ep = `${ptr}/elements/${i}`;
          if (!this.isObj(e)) {
            this.err('must provide an object', ep);
            return;
          }
          if (e.type === 'image') this.imageFields(e, ep);
          else if (e.type === 'plain_text' || e.type === 'mrkdwn') this.text(e, ep, LIMITS.sectionText, 'any');
          else this.err('failed to match all allowed schemas', ep);
        });
        break;
      }
      case 'input': {
        this.text(b.label, `${ptr}/label`, LIMITS.inputLabel, 'plain');
        if (b.hint !== undefined) this.text(b.hint, `${ptr}/hint`, LIMITS.inputHint, 'plain');
        if (b.element === undefined) this.err('missing required field: element', ptr);
        else this.element(b.element, `${ptr}/element`, INPUT_ELEMENTS, actionIds);
        if (surface === 'message' && b.dispatch_action !== true) {
          // Slack accepts input blocks in messages only with interactive dispatch; keep permissive.
        }
        break;
      }
      case 'image':
        this.imageFields(b, ptr);
        if (b.title !== undefined) this.text(b.title, `${ptr}/title`, 2000, 'plain');
        break;
      default:
        break;
    }
  }
  blocks(v: unknown, ptr: string, max: number, surface: Surface, required: boolean): void {
    const arr = this.array(v, ptr, max, { required });
    if (!arr) return;
    const blockIds = new Set<string>();
    arr.forEach((b, i) => {
      this.block(b, `${ptr}/${i}`, blockIds, surface);
    });
  }
}

/** Blocks of a message (chat.postMessage / postEphemeral / update, response_url). */
export function validateMessageBlocks(blocks: unknown): BlockKitResult {
  const c = new Checker();
  c.blocks(blocks, '/blocks', LIMITS.messageBlocks, 'message', false);
  return { ok: c.messages.length === 0, messages: c.messages };
}

export interface ViewCheck extends BlockKitResult {
  /** 'view_too_large' when the serialized view exceeds 250 kB (Slack's distinct error code). */
  tooLarge?: boolean;
}

/** A modal or Home tab view (views.open / push / update / publish, response_action update/push). */
export function validateView(view: unknown, expected?: 'modal' | 'home'): ViewCheck {
  const c = new Checker();
  if (!c.isObj(view)) {
    c.err('must provide an object', '/view');
    return { ok: false, messages: c.messages };
  }
  if (JSON.stringify(view).length > LIMITS.viewBytes) return { ok: false, messages: [], tooLarge: true };
  const type = view.type;
  if (type === undefined) c.err('missing required field: type', '/view');
  else if (type !== 'modal' && type !== 'home') c.err('must be a valid enum value', '/view/type');
  else if (expected && type !== expected) c.err(`must be a valid enum value (expected ${expected})`, '/view/type');
  const surface: Surface = type === 'home' ? 'home' : 'modal';
  if (type === 'modal') {
    if (view.title === undefined) c.err('missing required field: title', '/view');
    else c.text(view.title, '/view/title', LIMITS.viewTitle, 'plain');
  } else if (view.title !== undefined) {
    c.text(view.title, '/view/title', LIMITS.viewTitle, 'plain');
  }
  if (view.submit !== undefined) c.text(view.submit, '/view/submit', LIMITS.viewButton, 'plain');
  if (view.close !== undefined) c.text(view.close, '/view/close', LIMITS.viewButton, 'plain');
  if (view.blocks === undefined) c.err('missing required field: blocks', '/view');
  else c.blocks(view.blocks, '/view/blocks', LIMITS.viewBlocks, surface, true);
  if (
    type === 'modal' &&
    view.submit === undefined &&
    Array.isArray(view.blocks) &&
    view.blocks.some((b) => c.isObj(b) && b.type === 'input')
  ) {
    c.err('must provide submit when the view contains input blocks', '/view/submit');
  }
  if (view.private_metadata !== undefined) c.str(view.private_metadata, '/view/private_metadata', LIMITS.privateMetadata);
  if (view.callback_id !== undefined) c.str(view.callback_id, '/view/callback_id', LIMITS.id);
  if (view.external_id !== undefined) c.str(view.external_id, '/view/external_id', LIMITS.id);
  if (view.notify_on_close !== undefined && typeof view.notify_on_close !== 'boolean') {
    c.err('must provide a boolean', '/view/notify_on_close');
  }
  return { ok: c.messages.length === 0, messages: c.messages };
}
