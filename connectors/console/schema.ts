/** zod schemas of what a console list page yields once the table is read. */
import { z } from 'zod';
import { TEXT_LIMITS, mediaText } from '../limits';
import { truncateText } from '../../src/text';

/** A name or title cell: at least one character as read, then cleaned and cut (connectors/limits.ts). */
const boundedText = (max: number, message?: string) => z.string().min(1, message).pipe(mediaText(max));

/** A string of at least one character, cut (not rejected) beyond `max` (connectors/limits.ts). */
const bounded = (max: number, message?: string) =>
  z
    .string()
    .min(1, message)
    .transform((s) => truncateText(s, max));

/** One table row as read from the list page (text of the needed cells + the two links). */
export const consoleRowSchema = z.object({
  appliedAtText: z.string().regex(/^\d{4}[/-]\d{1,2}[/-]\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2})?$/, 'applied-at not in YYYY/MM/DD HH:mm'),
  name: boundedText(TEXT_LIMITS.name, 'empty name'),
  ageText: z
    .string()
    .regex(/^(\d{1,3}\s*歳?)?$/, 'age not a number')
    .nullable(),
  applicantHref: z.string().min(1, 'no applicant link'),
  postingHref: z.string().min(1, 'no posting link'),
  postingTitle: boundedText(TEXT_LIMITS.title, 'empty posting title'),
});
export type ConsoleRow = z.infer<typeof consoleRowSchema>;

/** The connector output, every string bounded (overlong values are truncated). */
export const normalizedApplicantSchema = z.object({
  externalId: bounded(TEXT_LIMITS.id),
  name: mediaText(TEXT_LIMITS.name),
  age: z.number().int().min(10).max(120).optional(),
  postingId: bounded(TEXT_LIMITS.id),
  postingTitle: mediaText(TEXT_LIMITS.title),
  appliedAt: z.string().datetime(),
  profileUrl: z
    .string()
    .url()
    .transform((s) => truncateText(s, TEXT_LIMITS.url)),
  isMeetup: z.boolean(),
});
