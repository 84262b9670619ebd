/** commands/ats.ts: the `/ats` router (help in the ack, unknown subcommands, errors), through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { translator } from '../../../src/i18n';
import { helpMessage } from '../../../views/help';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

const T = 'T0HATS';
const USER = 'U0HATSUSER';
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_ats', T, { others: [USER] }));
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats', () => {
  it('alone, `help` or `ＨＥＬＰ` (typed with an IME) answers the help in the ack itself', async () => {
    const help = { response_type: 'ephemeral', ...helpMessage(translator('en')) };
    for (const text of ['', 'help', 'ＨＥＬＰ']) expect((await bolt.slash({ teamId: T, userId: USER, text })).acks).toEqual([help]);
    expect(bolt.responded).toEqual([]);
  });

  it('answers an unknown subcommand in the ack, object keys included', async () => {
    for (const text of ['frobnicate now', 'constructor', '__proto__']) {
      const d = await bolt.slash({ teamId: T, userId: USER, text });
      expect(d.acks).toEqual([{ response_type: 'ephemeral', text: translator('en')('common.unknownCommand', { text }) }]);
    }
  });

  it('acks a subcommand at once and answers it through the response_url', async () => {
    const d = await bolt.slash({ teamId: T, userId: USER, text: 'jobs' });
    expect(d.acks).toEqual([undefined]);
    expect(bolt.responded).toHaveLength(1);
    expect(bolt.responded[0].body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: translator('en')('jobs.title'),
    });
  });

  it('an unexpected failure is answered with a reference id and logged with it, never the error', async () => {
    const failing = vi.spyOn(u.deps.store.orgs, 'findOne').mockRejectedValueOnce(new Error('connection reset by peer'));
    await bolt.slash({ teamId: T, userId: USER, text: 'accounts' });
    failing.mockRestore();
    const text = bolt.responded[0].body.text as string;
    const ref = /\b([0-9A-F]{8})\b/.exec(text)?.[1];
    expect(text).toBe(translator('en')('common.error', { ref }));
    expect(text).not.toContain('connection reset');
    expect(u.logs.find((l) => l.msg === 'handler failed')).toMatchObject({ level: 50, ref, teamId: T, userId: USER });
  });
});
