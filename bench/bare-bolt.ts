/**
 * The baseline for `slack_ack_p99_ms`: a bare Bolt app on the same HTTP receiver, one token, no
 * store, whose `/ats` command acks a static ephemeral text. Whatever hire-relay adds on top of Bolt
 * (authorize from the installation store, the retry dedupe, the user's locale, the help blocks) is
 * the difference between the two.
 */
import type { Server } from 'node:http';
import { App, LogLevel } from '@slack/bolt';

export interface BareBolt {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `lean`: without Bolt's in-memory conversation store (hire-relay runs without it too). */
export async function startBareBolt(o: { signingSecret: string; port?: number; lean?: boolean }): Promise<BareBolt> {
  const app = new App({
    signingSecret: o.signingSecret,
    token: 'xoxb-0-0-bare-bolt-bench',
    tokenVerificationEnabled: false,
    // with both ids given Bolt never calls auth.test (it would otherwise, once, on the first request)
    botId: 'B0BAREBOLT',
    botUserId: 'U0BAREBOLT',
    logLevel: LogLevel.ERROR,
    ...(o.lean ? { convoStore: false as const } : {}),
  });
  app.command('/ats', async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'hire-relay: `/ats help` shows what you can do.' });
  });
  const server = (await app.start(o.port ?? 0)) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () => app.stop().then(() => undefined),
  };
}
