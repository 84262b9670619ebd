/** What differs between the five employer consoles (labels of the login form and the list). */
import type { Credentials } from '../types';
import { MEDIA, type Medium } from '../../src/vocabulary';

export type ConsoleMediumName = Exclude<Medium, 'wantedly'>;

/** The media read through their employer console (every medium but Wantedly), in MEDIA order. */
export const CONSOLE_MEDIA = MEDIA.filter((m): m is ConsoleMediumName => m !== 'wantedly');

export interface ConsoleConfig {
  medium: ConsoleMediumName;
  /** Human name for messages. */
  label: string;
  /** Label of the login-id field on /login (found by its <label>). */
  loginFieldLabel: string;
  /** Which Credentials field holds the login id. */
  credentialField: 'email' | 'companyId' | 'userId';
  loginPath: string;
  listPath: string;
  /** CSS class of the applicant table. */
  tableClass: string;
  /** Column headers the parser needs; `age: null` when the medium shows no age (Findy). */
  headers: { appliedAt: string; name: string; age: string | null; postingTitle: string };
  /** Applicant permalink and posting link patterns (path part). */
  applicantPath: RegExp;
  postingPath: RegExp;
  /** Time zone of displayed 応募日時 (all are JST). */
  utcOffsetMinutes: number;
}

const base = {
  loginPath: '/login',
  listPath: '/applicants',
  tableClass: 'applicant-list',
  applicantPath: /\/applicants\/([^/?#]+)$/,
  postingPath: /\/jobs\/([^/?#]+)$/,
  utcOffsetMinutes: 9 * 60,
};

/** One entry per console medium; its key and its `medium` agree (checked by the type). */
export const CONSOLE_CONFIGS: { [M in ConsoleMediumName]: ConsoleConfig & { medium: M } } = {
  bizreach: {
    ...base,
    medium: 'bizreach',
    label: 'ビズリーチ',
    loginFieldLabel: 'メールアドレス',
    credentialField: 'email',
    headers: { appliedAt: '応募日時', name: '氏名', age: '年齢', postingTitle: 'ポジション名' },
  },
  green: {
    ...base,
    medium: 'green',
    label: 'Green',
    loginFieldLabel: '企業ID',
    credentialField: 'companyId',
    headers: { appliedAt: '応募日時', name: '氏名', age: '年齢', postingTitle: '求人名' },
  },
  findy: {
    ...base,
    medium: 'findy',
    label: 'Findy',
    loginFieldLabel: 'メールアドレス',
    credentialField: 'email',
    headers: { appliedAt: '応募日時', name: '氏名', age: null, postingTitle: '求人' },
  },
  paiza: {
    ...base,
    medium: 'paiza',
    label: 'paiza',
    loginFieldLabel: 'ユーザーID',
    credentialField: 'userId',
    headers: { appliedAt: '応募日時', name: '氏名', age: '年齢', postingTitle: '求人' },
  },
  openwork: {
    ...base,
    medium: 'openwork',
    label: 'OpenWork',
    // OpenWork links with a user ID + password (its console labels the field ユーザーID).
    loginFieldLabel: 'ユーザーID',
    credentialField: 'userId',
    headers: { appliedAt: '応募日時', name: '氏名', age: '年齢', postingTitle: '求人タイトル' },
  },
};

export function loginOf(config: ConsoleConfig, creds: Credentials): { loginId: string; password: string } | null {
  if (creds.medium !== config.medium) return null;
  const c = creds as Record<string, unknown>;
  const loginId = c[config.credentialField];
  const password = c.password;
  if (typeof loginId !== 'string' || typeof password !== 'string' || !loginId || !password) return null;
  return { loginId, password };
}
