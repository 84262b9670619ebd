/**
 * Sandbox only: without ENCRYPTION_KEY, a key is generated once into DATA_DIR/local-encryption.key
 * (mode 0600) so local data stays readable across restarts. Production requires ENCRYPTION_KEY.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, type KeyringEntry } from './crypto';

export function localKeyring(dataDir: string | null): KeyringEntry[] {
  if (dataDir === null) return [{ id: 'local', key: Buffer.from(generateKey(), 'base64') }];
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'local-encryption.key');
  if (!existsSync(file)) writeFileSync(file, `${generateKey()}\n`, { mode: 0o600 });
  return [{ id: 'local', key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') }];
}
