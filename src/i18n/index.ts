/**
 * One message catalogue for all user-facing text, through i18next with typed resources
 * (the field's common choice: interpolation, plurals and fallbacks without our own code).
 * `t(locale, key, vars)` with a typed key; unknown Slack locales fall back to Japanese.
 */
import i18next, { type TFunction } from 'i18next';
import { ja } from './ja';
import { en } from './en';

export type Locale = 'ja' | 'en';
export const LOCALES: Locale[] = ['ja', 'en'];

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof ja };
  }
}

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: 'ja',
  fallbackLng: 'ja',
  supportedLngs: LOCALES,
  resources: { ja: { translation: ja }, en: { translation: en } },
  interpolation: { escapeValue: false },
  returnNull: false,
});

const fixed: Record<Locale, TFunction> = {
  ja: instance.getFixedT('ja'),
  en: instance.getFixedT('en'),
};

export type T = TFunction;
export function translator(locale: Locale): TFunction {
  return fixed[locale];
}

/** Slack's `users.info` locale (e.g. ja-JP, en-US, en-GB) → our locale; Japanese by default. */
export function toLocale(slackLocale: string | undefined | null): Locale {
  if (!slackLocale) return 'ja';
  return slackLocale.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

export { ja, en };
