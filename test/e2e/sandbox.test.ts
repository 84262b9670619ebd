/**
 * The README's first command on a machine without Slack credentials: `npm start` runs the sandbox.
 * Start it as a user would (a separate process), then, through the local Slack's control API, do
 * what the console suggests: /ats help, link Wantedly with the demo key, and see applicants arrive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../helpers/app';
import { SANDBOX } from '../../src/sandbox';

let child: ChildProcess;
let slackUrl: string;
let output = '';
const dataDir = mkdtempSync(join(tmpdir(), 'hire-relay-sandbox-'));

/** Two consecutive free ports (the sandbox puts the local Slack on PORT + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const p = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer()
        .once('error', () => resolve(false))
        .listen(p + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (next && p < 65000) return p;
  }
}

const control = async (method: string, body: unknown) => {
  const res = await fetch(`${slackUrl}/_emu/control/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { result?: any; error?: string };
  if (json.error) throw new Error(json.error);
  return json.result;
};

beforeAll(async () => {
  const port = await freePortPair();
  slackUrl = `http://127.0.0.1:${port + 1}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  await eventually(() => output.includes('sandbox is running'), 'the sandbox banner', 60_000);
}, 90_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((r) => child?.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
});

it('prints what to open and which demo credentials to paste', () => {
  expect(output).toContain(slackUrl);
  expect(output).toContain(SANDBOX.wantedlyKey);
});

it('answers /ats help and links Wantedly with the demo key; applicants arrive', async () => {
  const help = await control('slash', { teamId: SANDBOX.teamId, userId: SANDBOX.admin, channelId: SANDBOX.channel, text: 'help' });
  expect(JSON.stringify(help)).toContain('使い方');
  await control('slash', { teamId: SANDBOX.teamId, userId: SANDBOX.admin, channelId: SANDBOX.channel, text: 'link wantedly' });
  const view = await eventually(
    async () => (await control('topView', { args: [SANDBOX.admin] })) as { id: string } | undefined,
    'link modal',
  );
  await control('submitView', {
    userId: SANDBOX.admin,
    viewId: view.id,
    values: { api_key: { value: SANDBOX.wantedlyKey }, label: { value: 'demo' } },
  });
  const dm = await eventually(
    async () => {
      const msgs = (await control('messages', { teamId: SANDBOX.teamId })) as { text?: string; blocks?: unknown }[];
      return msgs.find((m) => JSON.stringify(m).includes('候補者情報インポートが完了しました'));
    },
    'import finished DM',
    60_000,
  );
  expect(dm).toBeTruthy();
}, 120_000);
