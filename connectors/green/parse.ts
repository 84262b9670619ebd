/** green: list page HTML → NormalizedApplicant (shared console parser with green's columns). */
import { parseListPage, type ParsedListPage } from '../console/parse';
import { greenConfig } from './client';

export function parseGreenListPage(html: string, pageUrl: string): ParsedListPage {
  return parseListPage(html, greenConfig, pageUrl);
}
