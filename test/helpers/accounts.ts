/** A linked media account written straight to MongoDB, as the link flow leaves it (tests and benches). */
import { ObjectId } from 'mongodb';
import type { Credentials } from '../../connectors/types';
import type { Medium } from '../../src/vocabulary';
import { credentialFingerprint, credentialsAad } from '../../src/domain/credentials';
import type { Deps } from '../../src/domain/deps';

export async function insertLinkedAccount(
  deps: Pick<Deps, 'store' | 'keyring'>,
  teamId: string,
  medium: Medium,
  creds: Credentials,
  label: string,
): Promise<string> {
  const _id = new ObjectId();
  await deps.store.mediaAccounts.insertOne({
    _id,
    teamId,
    medium,
    label,
    state: 'linked',
    paused: false,
    linkedBy: `U${teamId.slice(1)}ADMIN`,
    credentials: deps.keyring.encryptJson(creds, credentialsAad(teamId, String(_id))),
    credentialFingerprint: credentialFingerprint(deps.keyring, teamId, creds),
    cursor: null,
    firstImportDone: true,
    failures: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  return String(_id);
}
