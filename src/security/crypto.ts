/**
 * Secrets at rest: AES-256-GCM, a random 96-bit IV per value, the key id stored with the value so
 * keys can rotate (the first key of the ring encrypts; every key of the ring decrypts), and
 * associated data binding a ciphertext to its owner (e.g. `teamId:mediaAccount:<id>`), so a value
 * copied to another workspace's document does not decrypt.
 * Envelope: `enc:v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>`.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export interface KeyringEntry {
  id: string;
  key: Buffer;
}

export class Keyring {
  private readonly byId: Map<string, Buffer>;
  constructor(private readonly entries: KeyringEntry[]) {
    if (entries.length === 0) throw new Error('keyring is empty');
    this.byId = new Map(entries.map((e) => [e.id, e.key]));
  }

  get currentId(): string {
    return this.entries[0].id;
  }

  encrypt(plaintext: string, aad: string): string {
    const { id, key } = this.entries[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['enc', 'v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  decrypt(envelope: string, aad: string): string {
    const parts = envelope.split(':');
    if (parts.length !== 6 || parts[0] !== 'enc' || parts[1] !== 'v1') throw new Error('not an encrypted value');
    const key = this.byId.get(parts[2]);
    if (key) return open(key, parts, aad);
    // An id the ring does not know: a key given without an id was once named by its position (k1,
    // k2…), which moved when a new key went first. GCM authenticates, so trying each key is safe.
    for (const e of this.entries) {
      try {
        return open(e.key, parts, aad);
      } catch {
        // not this one
      }
    }
    throw new Error(`no key with id ${parts[2]} in the keyring, and no other key of it opens the value`);
  }

  encryptJson(value: unknown, aad: string): string {
    return this.encrypt(JSON.stringify(value), aad);
  }

  decryptJson<T>(envelope: string, aad: string): T {
    return JSON.parse(this.decrypt(envelope, aad)) as T;
  }

  /** A key for a purpose (e.g. HMAC fingerprints), derived with HKDF from the current key. */
  deriveKey(purpose: string): Buffer {
    return this.deriveKeys(purpose)[0];
  }

  /** The purpose's key derived from every key of the ring, the current one first (to recognise
   *  values made before a rotation). */
  deriveKeys(purpose: string): Buffer[] {
    return this.entries.map((e) => Buffer.from(hkdfSync('sha256', e.key, Buffer.alloc(0), purpose, 32)));
  }

  /** True when the value was encrypted with an older key and should be re-encrypted. */
  needsRotation(envelope: string): boolean {
    return envelope.split(':')[2] !== this.currentId;
  }

  /** The start of every envelope made with the current key (a prefix to find the others by). */
  get currentPrefix(): string {
    return `enc:v1:${this.currentId}:`;
  }
}

function open(key: Buffer, parts: string[], aad: string): string {
  // authTagLength pins the tag to 16 bytes: without it Node accepts a truncated tag (down to 4 bytes)
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[3], 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(parts[4], 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(parts[5], 'base64url')), decipher.final()]).toString('utf8');
}

/**
 * The id of a key given without one: derived from the key itself (a truncated SHA-256, which says
 * nothing usable about a random 256-bit key), so it stays the same wherever the key sits in the ring.
 */
export function keyIdOf(key: Buffer): string {
  return `h${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

export function generateKey(): string {
  return randomBytes(32).toString('base64');
}
