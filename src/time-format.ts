/**
 * Times are stored in UTC and shown in the org's zone (luxon, always an explicit zone). A leaf: it
 * imports nothing of the app; the views format the domain's Dates with it.
 */
import { DateTime } from 'luxon';

export function formatTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
}

export function formatMaybe(at: Date | null | undefined, zone: string): string | undefined {
  return at ? formatTime(at, zone) : undefined;
}
