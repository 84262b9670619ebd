import type { Ctx } from './context';
import type { Locale } from '../src/i18n';
import { helpMessage } from '../views/help';

type HelpReply = { response_type: 'ephemeral' } & ReturnType<typeof helpMessage>;

// The help text depends only on the language: built once per locale (i18next lookups for every
// `/ats help` were a measurable part of the ack, see bench/slack.bench.ts).
const built = new Map<Locale, HelpReply>();

export function helpReply(ctx: Ctx): HelpReply {
  let reply = built.get(ctx.locale);
  if (!reply) {
    reply = { response_type: 'ephemeral' as const, ...helpMessage(ctx.t) };
    built.set(ctx.locale, reply);
  }
  return reply;
}
