/**
 * Rotating ENCRYPTION_KEY as an IT admin does it: put a new key first and restart; the app
 * re-encrypts every secret (media credentials, Slack installations) with it; then drop the old key
 * and restart: Slack still works, imports still run, nobody re-enters anything. In between, the same
 * login cannot be linked twice.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, eventually, type Harness } from '../helpers/app';
import { linkViaSlack, runImportNow } from '../helpers/flows';
import { Keyring } from '../../src/security/crypto';
import { linkAccount } from '../../src/domain/accounts';
import { loadActor } from '../../src/domain/members';
import { credentialFingerprint } from '../../src/domain/credentials';
import { rotateSecrets } from '../../src/domain/key-rotation';
import { ValidationError } from '../../src/domain/errors';

const T = 'T0ROTATE1';
const API_KEY = 'wantedly-rotate-key-0001';
const raw = () => randomBytes(32).toString('base64');
const K1 = { id: 'k1', b64: raw() };
const K2 = { id: 'k2', b64: raw() };
const ring = (...ks: { id: string; b64: string }[]) => new Keyring(ks.map((k) => ({ id: k.id, key: Buffer.from(k.b64, 'base64') })));
const env = (...ks: { id: string; b64: string }[]) => ({ ENCRYPTION_KEY: ks.map((k) => `${k.id}:${k.b64}`).join(',') });

let first: Harness;
const running: Harness[] = [];
let admin: string;

beforeAll(async () => {
  first = await startHarness({ media: true, env: env(K1) });
  admin = await first.install(T);
  first.media!.wantedly.addAccount({ apiKey: API_KEY });
  first.media!.wantedly.generateEntries(API_KEY, { count: 5, seed: 11 });
}, 60_000);
afterAll(async () => {
  for (const h of running) await h.close();
  await first?.close();
});

describe('key rotation', () => {
  it('new key first → everything re-encrypted; old key dropped → Slack and imports still work', async () => {
    const linked = await linkViaSlack(first, T, admin, 'wantedly', { api_key: API_KEY }, 'Rotating');
    await eventually(
      async () => (await first.app.deps.store.mediaAccounts.findOne({ _id: linked._id }))?.lastRun?.outcome === 'success',
      'first import',
    );
    let store = first.app.deps.store; // each app has its own client: follow the one running
    expect(linked.credentials.startsWith('enc:v1:k1:')).toBe(true);

    // 1. the same login, linked by an app that already has k2 first but has not rotated yet: refused
    const between = { ...first.app.deps, keyring: ring(K2, K1) };
    const actor = await loadActor(between, T, admin);
    await expect(
      linkAccount(between, actor, {
        medium: 'wantedly',
        credentials: { medium: 'wantedly', apiKey: API_KEY },
        requestId: 'rotation-relink',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await store.mediaAccounts.countDocuments({ teamId: T })).toBe(1);

    // 2. restart with k2 first: the app rotates at start-up
    await first.app.stop();
    const second = await startHarness({ reuse: first, env: env(K2, K1) });
    running.push(second);
    store = second.app.deps.store;
    await eventually(async () => {
      const a = await store.mediaAccounts.findOne({ _id: linked._id });
      const i = await store.installations.findOne({ _id: T });
      return a?.credentials.startsWith('enc:v1:k2:') && i?.encrypted.startsWith('enc:v1:k2:');
    }, 'secrets under k2');
    const rotated = (await store.mediaAccounts.findOne({ _id: linked._id }))!;
    expect(rotated.credentialFingerprint).toBe(credentialFingerprint(ring(K2), T, { medium: 'wantedly', apiKey: API_KEY }));
    expect(second.logs.join('')).toMatch(/key rotation: secrets re-encrypted/);
    expect(second.logs.join('')).not.toContain(API_KEY);
    // idempotent: nothing left to do
    expect(await rotateSecrets(second.app.deps)).toEqual({ accounts: 0, installations: 0, unreadable: 0, duplicateLogins: 0 });

    // 3. restart with k2 only: the slash command (installation), and the import (credentials) work
    await second.app.stop();
    const third = await startHarness({ reuse: first, env: env(K2) });
    running.push(third);
    third.slack.reset();
    const res = await third.slack.slash({ teamId: T, userId: admin, text: 'accounts' });
    const reply = await eventually(() => res.responses()[0], 'accounts reply');
    expect(JSON.stringify(reply)).toContain('Rotating');
    first.media!.wantedly.generateEntries(API_KEY, { count: 3, seed: 12 });
    const after = await runImportNow(third, rotated);
    expect(after.lastRun).toMatchObject({ outcome: 'success' });
    expect(after.state).toBe('linked');
  }, 120_000);

  it('a value no key of the ring opens is counted and left as it is, naming the account, not the secret', async () => {
    const deps = running[running.length - 1]?.app.deps ?? first.app.deps;
    const logged: unknown[] = [];
    const logger = { info() {}, warn() {}, error: (o: unknown) => logged.push(o) } as never;
    const before = await deps.store.mediaAccounts.findOne({ teamId: T });
    const report = await rotateSecrets({ store: deps.store, keyring: ring({ id: 'k9', b64: raw() }), logger });
    expect(report).toMatchObject({ accounts: 0, installations: 0, unreadable: 2 });
    expect((await deps.store.mediaAccounts.findOne({ teamId: T }))?.credentials).toBe(before?.credentials);
    expect(JSON.stringify(logged)).toContain(String(before?._id));
    expect(JSON.stringify(logged)).not.toContain(API_KEY);
  });
});
