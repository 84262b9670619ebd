/** src/security/crypto.ts: AES-256-GCM envelopes with key ids, AAD binding and rotation. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/security/crypto';

const k = (id: string) => ({ id, key: randomBytes(32) });
const AAD = 'T0TEAM:mediaAccount:65f000000000000000000001';

describe('Keyring', () => {
  const k1 = k('k1');
  const ring = new Keyring([k1]);

  it('round-trips text (including non-ASCII) and JSON', () => {
    for (const s of ['', 'p@ssw0rd', 'パスワード🔑', 'x'.repeat(10_000)]) {
      expect(ring.decrypt(ring.encrypt(s, AAD), AAD)).toBe(s);
    }
    const creds = { email: 'hr@example.com', password: 'hunter2', nested: { n: 1 } };
    expect(ring.decryptJson(ring.encryptJson(creds, AAD), AAD)).toEqual(creds);
  });

  it('writes the envelope enc:v1:<keyId>:iv:tag:ct without the plaintext', () => {
    const env = ring.encrypt('super-secret-value', AAD);
    const parts = env.split(':');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 3)).toEqual(['enc', 'v1', 'k1']);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
    expect(env).not.toContain('super-secret-value');
    expect(env).not.toContain(Buffer.from('super-secret-value').toString('base64url'));
  });

  it('uses a random IV: the same value encrypts differently each time', () => {
    const a = ring.encrypt('same', AAD);
    const b = ring.encrypt('same', AAD);
    expect(a).not.toBe(b);
    expect(a.split(':')[3]).not.toBe(b.split(':')[3]);
    expect(ring.decrypt(a, AAD)).toBe(ring.decrypt(b, AAD));
  });

  it('refuses the wrong associated data (a value copied to another owner)', () => {
    const env = ring.encrypt('secret', AAD);
    expect(() => ring.decrypt(env, 'T0OTHER:mediaAccount:65f000000000000000000001')).toThrow();
    expect(() => ring.decrypt(env, '')).toThrow();
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const env = ring.encrypt('secret value', AAD);
    const parts = env.split(':');
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0] ^= 0x01;
      return buf.toString('base64url');
    };
    for (const i of [3, 4, 5]) {
      const tampered = [...parts];
      tampered[i] = flip(tampered[i]);
      expect(() => ring.decrypt(tampered.join(':'), AAD), `part ${i}`).toThrow();
    }
    // truncated tag: GCM must not accept a shorter tag
    const short = [...parts];
    short[4] = Buffer.from(parts[4], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => ring.decrypt(short.join(':'), AAD)).toThrow();
  });

  it('refuses what is not an envelope', () => {
    expect(() => ring.decrypt('plain text', AAD)).toThrow(/not an encrypted value/);
    expect(() => ring.decrypt('enc:v2:k1:a:b:c', AAD)).toThrow(/not an encrypted value/);
  });

  it('rotates: a k1 value decrypts with [k2, k1], needs rotation, and re-encrypts under k2', () => {
    const old = ring.encrypt('rotate me', AAD);
    expect(ring.needsRotation(old)).toBe(false);
    const k2 = k('k2');
    const rotated = new Keyring([k2, k1]);
    expect(rotated.currentId).toBe('k2');
    expect(rotated.decrypt(old, AAD)).toBe('rotate me');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt(rotated.decrypt(old, AAD), AAD);
    expect(fresh.split(':')[2]).toBe('k2');
    expect(rotated.needsRotation(fresh)).toBe(false);
    // once k1 is retired the new value still decrypts, the old one no longer
    const retired = new Keyring([k2]);
    expect(retired.decrypt(fresh, AAD)).toBe('rotate me');
    expect(() => retired.decrypt(old, AAD)).toThrow(/no key with id k1/);
  });

  it('fails clearly for an unknown key id, naming the id and not the key', () => {
    const env = new Keyring([k('gone')]).encrypt('x', AAD);
    let message = '';
    try {
      ring.decrypt(env, AAD);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/no key with id gone/);
    expect(message).not.toContain(k1.key.toString('base64'));
  });

  it('an envelope whose key id the ring does not know is opened by whichever key of the ring made it (ids once were positions)', () => {
    const old = new Keyring([{ id: 'k1', key: k1.key }]).encrypt('moved', AAD);
    const renamed = new Keyring([k('hNEW'), { id: 'hOLD', key: k1.key }]);
    expect(renamed.decrypt(old, AAD)).toBe('moved');
    expect(renamed.needsRotation(old)).toBe(true);
    // GCM still decides: a ring without the key that made it refuses
    expect(() => new Keyring([k('x1'), k('x2')]).decrypt(old, AAD)).toThrow(/no key with id k1/);
  });

  it('derives the purpose key from every key of the ring, the current one first', () => {
    const k2 = k('k2');
    const both = new Keyring([k2, k1]);
    const keys = both.deriveKeys('fingerprint');
    expect(keys).toHaveLength(2);
    expect(keys[0].equals(new Keyring([k2]).deriveKey('fingerprint'))).toBe(true);
    expect(keys[1].equals(ring.deriveKey('fingerprint'))).toBe(true);
  });

  it('a same-id key with different bytes does not decrypt', () => {
    const env = ring.encrypt('x', AAD);
    expect(() => new Keyring([k('k1')]).decrypt(env, AAD)).toThrow();
  });

  it('refuses an empty keyring', () => {
    expect(() => new Keyring([])).toThrow(/empty/);
  });

  it('derives stable, purpose-separated keys from the current key', () => {
    expect(ring.deriveKey('fingerprint').equals(ring.deriveKey('fingerprint'))).toBe(true);
    expect(ring.deriveKey('fingerprint').equals(ring.deriveKey('other'))).toBe(false);
    expect(ring.deriveKey('fingerprint')).toHaveLength(32);
    expect(ring.deriveKey('fingerprint').equals(k1.key)).toBe(false);
  });

  it('generateKey makes base64 32-byte keys', () => {
    const a = generateKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(generateKey()).not.toBe(a);
  });
});
