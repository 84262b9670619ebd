/** zod schemas of what a console list page yields once the table is read. */
import { z } from 'zod';

/** One table row as read from the list page (text of the needed cells + the two links). */
export const consoleRowSchema = z.object({
  appliedAtText: z.string().regex(/^\d{4}[/-]\d{1,2}[/-]\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2})?$/, 'applied-at not in YYYY/MM/DD HH:mm'),
  name: z.string().min(1, 'empty name'),
  ageText: z.string().regex(/^(\d{1,3}\s*歳?)?$/, 'age not a number').nullable(),
  applicantHref: z.string().min(1, 'no applicant link'),
  postingHref: z.string().min(1, 'no posting link'),
  postingTitle: z.string().min(1, 'empty posting title'),
});
export type ConsoleRow = z.infer<typeof consoleRowSchema>;

export const normalizedApplicantSchema = z.object({
  externalId: z.string().min(1),
  name: z.string().min(1),
  age: z.number().int().min(10).max(120).optional(),
  postingId: z.string().min(1),
  postingTitle: z.string().min(1),
  appliedAt: z.string().datetime(),
  profileUrl: z.string().url(),
  isMeetup: z.boolean(),
});
