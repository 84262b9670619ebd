/** The card delivery's tunables (src/server.ts StartOptions.cardPosting; tests shorten them). */
import { DEFAULT_PACING, type PacingSettings } from '../../slack/paced-poster';

export interface CardPostingSettings extends PacingSettings {
  /** This many cards waiting for one job at once → one digest message with the cards in its thread. */
  digestThreshold: number;
  /** How long a claimed card may stay 'posting' before another run checks the channel for it. */
  leaseMs: number;
  /** When the bot cannot reach the channel (not invited), retry after this long. */
  retryLaterMs: number;
}

/** Production keeps Slack's pace: 1 message per second per channel. */
export const DEFAULT_CARD_POSTING: CardPostingSettings = {
  ...DEFAULT_PACING,
  digestThreshold: 10,
  leaseMs: 2 * 60_000,
  retryLaterMs: 10 * 60_000,
};
