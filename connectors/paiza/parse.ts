/** paiza: list page HTML → NormalizedApplicant (shared console parser with paiza's columns). */
import { parseListPage, type ParsedListPage } from '../console/parse';
import { paizaConfig } from './client';

export function parsePaizaListPage(html: string, pageUrl: string): ParsedListPage {
  return parseListPage(html, paizaConfig, pageUrl);
}
