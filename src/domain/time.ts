/** Times are stored in UTC and shown in the org's zone (luxon, explicit zone). */
import { DateTime } from 'luxon';

export function formatTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
}

export function formatMaybe(at: Date | null | undefined, zone: string): string | undefined {
  return at ? formatTime(at, zone) : undefined;
}
