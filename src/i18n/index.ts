/**
 * One message catalogue for all user-facing text, through i18next with typed resources
 * (the field's common choice: interpolation, plurals and fallbacks without our own code).
 * `t(locale, key, vars)` with a typed key; unknown Slack locales fall back to Japanese.
 */
import i18next from 'i18next';
import { ja } from './ja';
import { en } from './en';
import { escapeSlack } from '../text';
import { LOCALES, type Locale } from '../vocabulary';

export { LOCALES, type Locale };

/** Every leaf key of the catalogue, as a dotted path ('accounts.pause', 'candidate.stages.new'). */
type Leaves<O, P extends string = ''> = {
  [K in keyof O & string]: O[K] extends string ? `${P}${K}` : Leaves<O[K], `${P}${K}.`>;
}[keyof O & string];
export type MessageKey = Leaves<typeof ja>;

type Translate = (key: MessageKey | (string & {}), vars?: Record<string, unknown>) => string;

/**
 * Typed keys; dynamic keys (built from an enum value) are checked by the catalogue test.
 * `t(key, vars)` is mrkdwn: every value is escaped for Slack once (&, <, >), so the result goes into
 * a mrkdwn text as it is and is never escaped again. `t.plain(key, vars)` is the same message for a
 * plain_text field (headers, buttons, options, field errors, confirm dialogs): values as they are,
 * since plain_text shows every character verbatim. The rule: docs/architecture.md, "Text".
 */
export type T = Translate & { plain: Translate };

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: 'ja',
  fallbackLng: 'ja',
  supportedLngs: LOCALES,
  resources: { ja: { translation: ja }, en: { translation: en } },
  // Every value put into a text is escaped for Slack (&, <, >): a candidate named `<!channel>` or a
  // job named `<https://evil|…>` must never ping or link. Text for plain_text comes from t.plain,
  // which leaves the values as they are. A template whose value is markup made by the app writes it
  // unescaped: {{- users}}.
  interpolation: { escapeValue: true, escape: escapeSlack },
  returnNull: false,
  showSupportNotice: false,
});

function fixedT(locale: Locale): T {
  const f = instance.getFixedT(locale) as unknown as (key: string, options?: Record<string, unknown>) => string;
  const t = ((key, vars) => f(key, vars)) as T;
  t.plain = (key, vars) => f(key, { ...vars, interpolation: { escapeValue: false } });
  return t;
}

const fixed: Record<Locale, T> = { ja: fixedT('ja'), en: fixedT('en') };

export function translator(locale: Locale): T {
  return fixed[locale];
}

/** Slack's `users.info` locale (e.g. ja-JP, en-US, en-GB) → our locale; Japanese by default. */
export function toLocale(slackLocale: string | undefined | null): Locale {
  if (!slackLocale) return 'ja';
  return slackLocale.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

export { ja, en };
