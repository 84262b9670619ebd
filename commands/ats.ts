/**
 * `/ats <subcommand>`: one slash command, routed here. The listener acks within Slack's 3 s (with
 * the help itself for `/ats help`), builds the user's context, and runs the subcommand picked from
 * the table commands/index.ts gives, errors shown to the user (commands/context.ts).
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { AFTER_ACK_FACTS_WAIT_MS, makeCtx, handle, type Ctx } from './context';
import { helpReply } from './help';
import { cleanLine, truncateText } from '../src/text';

export interface CommandArgs {
  ctx: Ctx;
  command: SlashCommand;
  /** The words after the subcommand. */
  args: string[];
  /** The text after the subcommand, as typed. */
  rest: string;
}

export type Subcommand = (a: CommandArgs) => Promise<void>;

/** The Bolt listener for `/ats`; `subcommands`: `/ats link …` → 'link', `/ats job new` → 'job'. */
export function atsCommand(deps: Deps, subcommands: Readonly<Record<string, Subcommand>>) {
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    // what was typed, through the one normaliser (controls, bidi overrides, zero-width characters out)
    const text = cleanLine(command.text ?? '');
    const [sub = 'help', ...args] = text.split(/\s+/).filter(Boolean);
    // ｊｏｂｓ, ＨＥＬＰ (typed with a Japanese IME) are the same commands
    const name = sub.normalize('NFKC').toLowerCase();
    // never asks Slack: the language from the user directory or the org, so help is acked at once
    const ctx = await makeCtx(deps, {
      teamId: command.team_id,
      userId: command.user_id,
      channelId: command.channel_id,
      client,
      respond,
      factsWaitMs: AFTER_ACK_FACTS_WAIT_MS, // the actor is loaded after the ack
    });
    if (name === 'help') {
      await ack(helpReply(ctx));
      return;
    }
    const run = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
    if (!run) {
      await ack({ response_type: 'ephemeral', text: ctx.t('common.unknownCommand', { text: truncateText(text, 100) }) });
      return;
    }
    await ack();
    const rest = text.slice(sub.length).trim();
    await handle(ctx, () => run({ ctx, command, args, rest }));
  };
}
