/** zod schemas of what the Wantedly Visit API returns (see emulators/wantedly). */
import { z } from 'zod';
import { TEXT_LIMITS, mediaText } from '../limits';
import { truncateText } from '../../src/text';

/** An id the API gives as a number or a string, as a string of at most TEXT_LIMITS.id. */
const wantedlyId = z.union([z.number().int(), z.string().min(1)]).transform((v) => truncateText(String(v), TEXT_LIMITS.id));

export const wantedlyUserSchema = z
  .object({
    // Overlong text is cut, never rejected (connectors/limits.ts).
    name: z.string().min(1).pipe(mediaText(TEXT_LIMITS.name)),
    name_romaji: z.string().optional(),
    gender: z.string().optional(),
    profile_url: z.string().optional(),
  })
  .passthrough();

export const wantedlyEntrySchema = z
  .object({
    id: wantedlyId,
    project_id: wantedlyId,
    project_title: mediaText(TEXT_LIMITS.title),
    kind: z.enum(['meetup', 'application', 'scout_reply']),
    status: z.string().optional(),
    created_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'),
    ticket_url: z
      .string()
      .url()
      .transform((s) => truncateText(s, TEXT_LIMITS.url)),
    user: wantedlyUserSchema,
  })
  .passthrough();
export type WantedlyEntry = z.infer<typeof wantedlyEntrySchema>;

export const wantedlyEntriesResponseSchema = z.object({
  data: z.array(wantedlyEntrySchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean().optional(),
});
export type WantedlyEntriesResponse = z.infer<typeof wantedlyEntriesResponseSchema>;

export const wantedlyProjectsResponseSchema = z.object({
  data: z.array(z.object({ id: z.union([z.number(), z.string()]), title: z.string() }).passthrough()),
});

export const wantedlyErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});
