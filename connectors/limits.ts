/**
 * Bounds on text that comes from the media. Every string field of a connector's output is cut to
 * these lengths (in UTF-16 code units, never splitting a surrogate pair) at the connector boundary,
 * so a medium handing over a 100,000-character name can neither fail the import nor reach the
 * views/ (whose regexes are not linear) whole. Overlong values are truncated, not rejected, with
 * truncateText (src/text.ts, the one surrogate-safe cut the views use too).
 */

export const TEXT_LIMITS = {
  name: 200,
  title: 300,
  url: 2048,
  id: 200,
} as const;
