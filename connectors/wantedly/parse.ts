/** Wantedly JSON → NormalizedApplicant. */
import { ServiceError, type NormalizedApplicant } from '../types';
import { zodIssueSummary } from '../errors';
import { wantedlyEntriesResponseSchema, type WantedlyEntriesResponse, type WantedlyEntry } from './schema';

export function parseEntriesResponse(json: unknown): WantedlyEntriesResponse {
  const r = wantedlyEntriesResponseSchema.safeParse(json);
  if (!r.success) throw new ServiceError('bad_response', `Wantedly entries response not understood: ${zodIssueSummary(r.error.issues)}`);
  return r.data;
}

export function entryToApplicant(e: WantedlyEntry): NormalizedApplicant {
  return {
    externalId: e.id,
    name: e.user.name,
    postingId: e.project_id,
    postingTitle: e.project_title,
    appliedAt: new Date(e.created_at).toISOString(),
    profileUrl: e.ticket_url,
    isMeetup: e.kind === 'meetup',
  };
}
