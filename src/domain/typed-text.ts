/**
 * What people type into a name field (a job name, an account label, a rule's pattern), through the
 * one normaliser (src/text.ts cleanName): the clean value, or the field error to show under it. A
 * name of only zero-width spaces, controls or bidi overrides is refused ("no visible characters"),
 * not stored.
 */
import { cleanName } from '../text';
import type { ValidationError } from './errors';

type FieldError = ValidationError['fields'][string];

export function typedName(raw: string, max: number): { ok: true; value: string } | { ok: false; error: FieldError } {
  // nothing typed at all (or only spaces): "fill this in"; something, but nothing visible: say so
  if (raw.trim() === '') return { ok: false, error: { key: 'link.errors.required' } };
  const r = cleanName(raw, max);
  if (r.ok) return r;
  if (r.reason === 'tooLong') return { ok: false, error: { key: 'link.errors.tooLong', vars: { max } } };
  return { ok: false, error: { key: 'text.invisible' } };
}
