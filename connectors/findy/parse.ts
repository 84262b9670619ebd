/** findy: list page HTML → NormalizedApplicant (shared console parser with findy's columns). */
import { parseListPage, type ParsedListPage } from '../console/parse';
import { findyConfig } from './client';

export function parseFindyListPage(html: string, pageUrl: string): ParsedListPage {
  return parseListPage(html, findyConfig, pageUrl);
}
