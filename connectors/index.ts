/** Connector registry: one MediaConnector per medium. */
import { MEDIA, type Medium, type MediaConnector } from './types';
import { wantedlyConnector } from './wantedly/index';
import { bizReachConnector } from './bizreach/index';
import { greenConnector } from './green/index';
import { findyConnector } from './findy/index';
import { paizaConnector } from './paiza/index';
import { openWorkConnector } from './openwork/index';

export const CONNECTORS: Record<Medium, MediaConnector> = {
  wantedly: wantedlyConnector,
  bizreach: bizReachConnector,
  green: greenConnector,
  findy: findyConnector,
  paiza: paizaConnector,
  openwork: openWorkConnector,
};

export function getConnector(medium: Medium): MediaConnector {
  const c = CONNECTORS[medium];
  if (!c) throw new Error(`unknown medium: ${String(medium)}`);
  return c;
}

/** Display names per locale. */
export const MEDIUM_LABELS: Record<Medium, { ja: string; en: string }> = {
  wantedly: { ja: 'Wantedly', en: 'Wantedly' },
  bizreach: { ja: 'ビズリーチ', en: 'BizReach' },
  green: { ja: 'Green', en: 'Green' },
  findy: { ja: 'Findy', en: 'Findy' },
  paiza: { ja: 'paiza', en: 'paiza' },
  openwork: { ja: 'OpenWork', en: 'OpenWork' },
};

/** Which credential fields the link modal asks for, per medium (labels as the medium shows them). */
export const CREDENTIAL_FIELDS: Record<Medium, { key: 'apiKey' | 'email' | 'companyId' | 'userId' | 'password'; ja: string; en: string; secret: boolean }[]> = {
  wantedly: [{ key: 'apiKey', ja: 'APIキー', en: 'API key', secret: true }],
  bizreach: [
    { key: 'email', ja: 'メールアドレス', en: 'Email', secret: false },
    { key: 'password', ja: 'パスワード', en: 'Password', secret: true },
  ],
  green: [
    { key: 'companyId', ja: '企業ID', en: 'Company ID', secret: false },
    { key: 'password', ja: 'パスワード', en: 'Password', secret: true },
  ],
  findy: [
    { key: 'email', ja: 'メールアドレス', en: 'Email', secret: false },
    { key: 'password', ja: 'パスワード', en: 'Password', secret: true },
  ],
  paiza: [
    { key: 'userId', ja: 'ユーザーID', en: 'User ID', secret: false },
    { key: 'password', ja: 'パスワード', en: 'Password', secret: true },
  ],
  openwork: [
    { key: 'userId', ja: 'ユーザーID', en: 'User ID', secret: false },
    { key: 'password', ja: 'パスワード', en: 'Password', secret: true },
  ],
};

export { MEDIA };
export type { Medium, MediaConnector };
export { AuthError, ServiceError } from './types';
export { checkChromium, closeBrowser, configureBrowser } from './browser';
