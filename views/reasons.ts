/** Reason codes in words (pure). */
import type { T } from '../src/i18n';

/** A stored failure reason, `auth:<AuthFailureReason>` or `service:<ServiceFailureReason>`, in words. */
export function errorText(t: T, reason: string): string {
  if (reason.startsWith('auth:')) return t(`authReason.${reason.slice(5)}`);
  return t(`serviceReason.${reason.replace(/^service:/, '')}`);
}
