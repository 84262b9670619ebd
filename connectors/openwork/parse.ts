/** openwork: list page HTML → NormalizedApplicant (shared console parser with openwork's columns). */
import { parseListPage, type ParsedListPage } from '../console/parse';
import { openWorkConfig } from './client';

export function parseOpenWorkListPage(html: string, pageUrl: string): ParsedListPage {
  return parseListPage(html, openWorkConfig, pageUrl);
}
