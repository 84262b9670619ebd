/**
 * `/ats <subcommand>`: one slash command, routed here. Each route stays thin: it acks within
 * Slack's 3 s, builds the user's context, and calls the domain through a feature module.
 */
import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../src/domain/deps';
import { makeCtx, handle, type Ctx } from './context';
import { helpReply } from './help';
import { openRoles } from './roles';
import { truncateText } from '../src/text';

export interface CommandArgs {
  ctx: Ctx;
  command: SlashCommand;
  args: string[];
  rest: string;
}

type Route = (a: CommandArgs) => Promise<void>;
const routes = new Map<string, Route>();

/** Feature modules add their subcommands here (`/ats link …` → 'link'; `/ats job new` → 'job'). */
export function addRoute(name: string, route: Route) {
  routes.set(name, route);
}

addRoute('roles', ({ ctx, command }) => openRoles(ctx, command.trigger_id));

export function registerAts(app: App, deps: Deps) {
  app.command('/ats', async ({ command, ack, respond, client }) => {
    const [sub = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    // ｊｏｂｓ, ＨＥＬＰ (typed with a Japanese IME) are the same commands
    const name = sub.normalize('NFKC').toLowerCase();
    const ctx = await makeCtx(deps, surface(command, client, respond));
    if (name === 'help') {
      await ack(helpReply(ctx));
      return;
    }
    const route = routes.get(name);
    if (!route) {
      await ack({ response_type: 'ephemeral', text: ctx.t('common.unknownCommand', { text: truncateText(command.text.trim(), 100) }) });
      return;
    }
    await ack();
    const rest = command.text.trim().slice(sub.length).trim();
    await handle(ctx, () => route({ ctx, command, args, rest }));
  });
}

function surface(command: SlashCommand, client: WebClient, respond: RespondFn) {
  return { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id, client, respond };
}
