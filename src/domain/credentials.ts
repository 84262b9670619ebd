/**
 * What the link modal accepts, per medium, validated with zod. Errors name the modal block so the
 * modal shows them under the field (response_action: errors). Credentials are never echoed back.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Credentials } from '../../connectors/types';
import { LABEL_MAX, MEDIUM_FIELDS, type FieldKey, type Medium } from '../vocabulary';
import type { Keyring } from '../security/crypto';
import { typedName } from './typed-text';

const FIELD_SCHEMAS: Record<FieldKey, { schema: z.ZodType<string>; errorKey: string }> = {
  api_key: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{16,128}$/),
    errorKey: 'link.errors.apiKey',
  },
  email: { schema: z.string().trim().max(254).pipe(z.email()), errorKey: 'link.errors.email' },
  password: { schema: z.string().min(1).max(128), errorKey: 'link.errors.tooLong' },
  company_id: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.@-]{1,64}$/),
    errorKey: 'link.errors.id',
  },
  user_id: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.@-]{1,64}$/),
    errorKey: 'link.errors.id',
  },
};

export interface LinkFormInput {
  label?: string;
  fields: Partial<Record<FieldKey, string | undefined>>;
}

export type LinkFormResult =
  | { ok: true; label: string | undefined; credentials: Credentials }
  | { ok: false; errors: Record<string, { key: string; vars?: Record<string, unknown> }> };

export function parseLinkForm(medium: Medium, input: LinkFormInput): LinkFormResult {
  const errors: Record<string, { key: string; vars?: Record<string, unknown> }> = {};
  const values: Partial<Record<FieldKey, string>> = {};
  for (const field of MEDIUM_FIELDS[medium]) {
    const raw = input.fields[field];
    if (raw === undefined || raw === '') {
      errors[field] = { key: 'link.errors.required' };
      continue;
    }
    const { schema, errorKey } = FIELD_SCHEMAS[field];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) errors[field] = { key: errorKey, vars: { max: 128 } };
    else values[field] = parsed.data;
  }
  // optional: nothing typed → the default label; typed but nothing visible → refused
  const typed = input.label?.trim() ? typedName(input.label, LABEL_MAX) : undefined;
  if (typed && !typed.ok) errors.label = typed.error.key === 'link.errors.tooLong' ? { key: 'link.errors.label' } : typed.error;
  const label = typed?.ok ? typed.value : undefined;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, label, credentials: toCredentials(medium, values) };
}

function toCredentials(medium: Medium, v: Partial<Record<FieldKey, string>>): Credentials {
  switch (medium) {
    case 'wantedly':
      return { medium, apiKey: v.api_key! };
    case 'bizreach':
    case 'findy':
      return { medium, email: v.email!.toLowerCase(), password: v.password! };
    case 'green':
      return { medium, companyId: v.company_id!, password: v.password! };
    case 'paiza':
    case 'openwork':
      return { medium, userId: v.user_id!, password: v.password! };
  }
}

/** The login identity, keyed-hashed: lets a unique index refuse the same login linked twice. */
export function credentialFingerprint(keyring: Keyring, teamId: string, creds: Credentials): string {
  return credentialFingerprints(keyring, teamId, creds)[0];
}

/**
 * The fingerprint under every key of the ring, the current key's first. An account linked before a
 * key rotation keeps its old fingerprint until the rotation (src/domain/key-rotation.ts) renews it;
 * linking checks them all so the same login is refused in between too.
 */
export function credentialFingerprints(keyring: Keyring, teamId: string, creds: Credentials): string[] {
  const identity =
    'apiKey' in creds ? creds.apiKey : 'email' in creds ? creds.email : 'companyId' in creds ? creds.companyId : creds.userId;
  return keyring
    .deriveKeys('credential-fingerprint')
    .map((key) => createHmac('sha256', key).update(`${teamId}\u0000${creds.medium}\u0000${identity}`).digest('base64url'));
}

export const credentialsAad = (teamId: string, accountId: string) => `${teamId}:mediaAccount:${accountId}`;
