/** bizreach: list page HTML → NormalizedApplicant (shared console parser with bizreach's columns). */
import { parseListPage, type ParsedListPage } from '../console/parse';
import { bizReachConfig } from './client';

export function parseBizReachListPage(html: string, pageUrl: string): ParsedListPage {
  return parseListPage(html, bizReachConfig, pageUrl);
}
