/**
 * Bounds on text that comes from the media. Every string field of a connector's output is cut to
 * these lengths (in UTF-16 code units, never splitting a surrogate pair) at the connector boundary,
 * so a medium handing over a 100,000-character name can neither fail the import nor reach the
 * views/ (whose regexes are not linear) whole. Overlong values are truncated, not rejected, with
 * truncateText (src/text.ts, the one surrogate-safe cut the views use too).
 *
 * Names and titles are also cleaned there (mediaText): NFC, control characters, bidi overrides and
 * invisible format characters removed (src/text.ts cleanLine), as for what people type.
 */
import { z } from 'zod';
import { cleanLine, truncateText } from '../src/text';

export const TEXT_LIMITS = {
  name: 200,
  title: 300,
  url: 2048,
  id: 200,
} as const;

/**
 * A name or title from a medium, as stored and shown: cut, cleaned (src/text.ts cleanLine), cut to
 * `max` again. Never refused: a name that is only invisible characters becomes '' (the views show
 * "no name"), since one odd applicant must not fail the import.
 */
export const mediaText = (max: number) => z.string().transform((s) => truncateText(cleanLine(truncateText(s, max * 4)), max));
