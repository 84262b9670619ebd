/**
 * Bounds on text that comes from the media. Every string field of a connector's output is cut to
 * these lengths (in UTF-16 code units, never splitting a surrogate pair) at the connector boundary,
 * so a medium handing over a 100,000-character name can neither fail the import nor reach the
 * views/ (whose regexes are not linear) whole. Overlong values are truncated, not rejected.
 */
import { z } from 'zod';

export const TEXT_LIMITS = {
  name: 200,
  title: 300,
  url: 2048,
  id: 200,
} as const;

/** `s` cut to at most `max` UTF-16 code units, without leaving half of a surrogate pair at the end. */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return s.slice(0, end);
}

/** A string schema that truncates to `max` (then applies nothing else; pipe it for more checks). */
export const boundedString = (max: number) => z.string().transform((s) => truncateText(s, max));
