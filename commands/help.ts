import type { Ctx } from './context';
import { helpMessage } from '../views/help';

export function helpReply(ctx: Ctx) {
  return { response_type: 'ephemeral' as const, ...helpMessage(ctx.t) };
}
