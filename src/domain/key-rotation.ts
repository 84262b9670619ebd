/**
 * Finishing a key rotation. ENCRYPTION_KEY is a keyring `new:…,old:…`: the first key encrypts, every
 * key decrypts. Rotation re-encrypts what is still under an older key (media credentials, Slack
 * installations) with the current one and renews the login fingerprints, so that the older key can
 * then leave the ring. It runs when a worker starts, is idempotent, and is safe with several
 * instances: each write is conditioned on the value it replaces (a concurrent re-enter or reinstall
 * wins, and is under the current key anyway).
 *
 * Nothing secret is logged: ids and counts only. A value no key of the ring opens is counted as
 * `unreadable` and left as it is (its owner re-enters it; the log names the account or workspace).
 */
import type { Credentials } from '../../connectors/types';
import type { Deps } from './deps';
import { credentialFingerprint, credentialsAad } from './credentials';
import { installationAad } from '../security/aad';
import { isDuplicateKey } from '../storage/db';
import { escapeRegExp } from '../text';

export interface RotationReport {
  accounts: number;
  installations: number;
  unreadable: number;
  /** Accounts whose login is linked twice (once before the rotation, once after): kept, fingerprint not renewed. */
  duplicateLogins: number;
}

export async function rotateSecrets(deps: Pick<Deps, 'store' | 'keyring' | 'logger'>): Promise<RotationReport> {
  const { store, keyring, logger } = deps;
  const report: RotationReport = { accounts: 0, installations: 0, unreadable: 0, duplicateLogins: 0 };
  const notCurrent = { $not: new RegExp(`^${escapeRegExp(keyring.currentPrefix)}`) };

  for await (const a of store.mediaAccounts.find({ credentials: notCurrent }, { projection: { _id: 1, teamId: 1, credentials: 1 } })) {
    const aad = credentialsAad(a.teamId, String(a._id));
    let creds: Credentials;
    try {
      creds = keyring.decryptJson<Credentials>(a.credentials, aad);
    } catch {
      report.unreadable++;
      logger.error({ accountId: String(a._id), teamId: a.teamId }, 'key rotation: no key of ENCRYPTION_KEY opens these credentials');
      continue;
    }
    const credentials = keyring.encryptJson(creds, aad);
    const filter = { _id: a._id, teamId: a.teamId, credentials: a.credentials };
    try {
      const r = await store.mediaAccounts.updateOne(filter, {
        $set: { credentials, credentialFingerprint: credentialFingerprint(keyring, a.teamId, creds) },
      });
      report.accounts += r.modifiedCount;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // the same login was linked again under the new key before this ran: keep both, say so
      report.duplicateLogins++;
      logger.warn(
        { accountId: String(a._id), teamId: a.teamId },
        'key rotation: this login is linked twice; unlink one of the two accounts',
      );
      const r = await store.mediaAccounts.updateOne(filter, { $set: { credentials } });
      report.accounts += r.modifiedCount;
    }
  }

  for await (const i of store.installations.find({ encrypted: notCurrent }, { projection: { _id: 1, encrypted: 1 } })) {
    let plain: string;
    try {
      plain = keyring.decrypt(i.encrypted, installationAad(i._id));
    } catch {
      report.unreadable++;
      logger.error({ installationId: i._id }, 'key rotation: no key of ENCRYPTION_KEY opens this installation (reinstall the app there)');
      continue;
    }
    const r = await store.installations.updateOne(
      { _id: i._id, encrypted: i.encrypted },
      { $set: { encrypted: keyring.encrypt(plain, installationAad(i._id)) } },
    );
    report.installations += r.modifiedCount;
  }

  if (report.accounts || report.installations || report.unreadable || report.duplicateLogins) {
    logger.info({ keyId: keyring.currentId, ...report }, 'key rotation: secrets re-encrypted with the current key');
  }
  return report;
}
