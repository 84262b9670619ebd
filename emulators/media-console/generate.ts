/**
 * Deterministic generator of realistic Japanese applicants for the media emulators (tests, benches,
 * the sandbox). Same seed → same applicants, so fixtures and assertions are stable.
 */

/** mulberry32: tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

export const SURNAMES = [
  ['佐藤', 'サトウ', 'Sato'],
  ['鈴木', 'スズキ', 'Suzuki'],
  ['高橋', 'タカハシ', 'Takahashi'],
  ['田中', 'タナカ', 'Tanaka'],
  ['伊藤', 'イトウ', 'Ito'],
  ['渡辺', 'ワタナベ', 'Watanabe'],
  ['山本', 'ヤマモト', 'Yamamoto'],
  ['中村', 'ナカムラ', 'Nakamura'],
  ['小林', 'コバヤシ', 'Kobayashi'],
  ['加藤', 'カトウ', 'Kato'],
  ['吉田', 'ヨシダ', 'Yoshida'],
  ['山田', 'ヤマダ', 'Yamada'],
  ['佐々木', 'ササキ', 'Sasaki'],
  ['山口', 'ヤマグチ', 'Yamaguchi'],
  ['松本', 'マツモト', 'Matsumoto'],
  ['井上', 'イノウエ', 'Inoue'],
  ['木村', 'キムラ', 'Kimura'],
  ['林', 'ハヤシ', 'Hayashi'],
  ['清水', 'シミズ', 'Shimizu'],
  ['森', 'モリ', 'Mori'],
  ['池田', 'イケダ', 'Ikeda'],
  ['橋本', 'ハシモト', 'Hashimoto'],
] as const;

export const GIVEN_NAMES = [
  ['翔太', 'ショウタ', 'Shota', '男性'],
  ['大輝', 'ダイキ', 'Daiki', '男性'],
  ['蓮', 'レン', 'Ren', '男性'],
  ['拓海', 'タクミ', 'Takumi', '男性'],
  ['健太', 'ケンタ', 'Kenta', '男性'],
  ['悠斗', 'ユウト', 'Yuto', '男性'],
  ['直樹', 'ナオキ', 'Naoki', '男性'],
  ['亮', 'リョウ', 'Ryo', '男性'],
  ['誠', 'マコト', 'Makoto', '男性'],
  ['陽菜', 'ヒナ', 'Hina', '女性'],
  ['美咲', 'ミサキ', 'Misaki', '女性'],
  ['結衣', 'ユイ', 'Yui', '女性'],
  ['彩', 'アヤ', 'Aya', '女性'],
  ['葵', 'アオイ', 'Aoi', '女性'],
  ['真由', 'マユ', 'Mayu', '女性'],
  ['千尋', 'チヒロ', 'Chihiro', '女性'],
  ['さくら', 'サクラ', 'Sakura', '女性'],
  ['遥', 'ハルカ', 'Haruka', '女性'],
] as const;

export const POSTING_TITLES = [
  'バックエンドエンジニア（Go / TypeScript）',
  'フロントエンドエンジニア（React / Next.js）',
  'SRE・インフラエンジニア（AWS）',
  'プロダクトマネージャー',
  'データエンジニア',
  'UI/UXデザイナー',
  'カスタマーサクセス（SaaS）',
  'エンジニアリングマネージャー',
] as const;

export const COMPANIES = [
  '株式会社ネクストリンク',
  'メルカート株式会社',
  '株式会社サンライズテック',
  'フューチャーソフト株式会社',
  '株式会社ミライワークス',
  '合同会社ブルーオーシャン',
  '株式会社あおぞらシステムズ',
  '株式会社ひかりデジタル',
] as const;

const PREFS = ['東京都', '神奈川県', '大阪府', '愛知県', '福岡県', '北海道', '京都府', '埼玉県'] as const;
const SCHOOLS = ['東京大学', '早稲田大学', '慶應義塾大学', '大阪大学', '東北大学', '九州大学', '名古屋工業大学', '筑波大学'] as const;
const FACULTIES = ['工学部 情報工学科', '理学部 数学科', '経済学部', '文学部', '情報理工学部', '商学部'] as const;
const ROLES = ['ソフトウェアエンジニア', 'テックリード', 'Webディレクター', 'インフラエンジニア', 'デザイナー', '営業'] as const;

export interface GeneratedPerson {
  name: string;
  nameKana: string;
  nameRomaji: string;
  gender: '男性' | '女性';
  age: number;
  currentCompany: string;
  role: string;
  desiredSalary: number; // 万円
  address: string;
  phone: string;
  email: string;
  school: string;
  faculty: string;
  graduationYear: number;
}

export function person(rng: () => number, index: number): GeneratedPerson {
  const [sur, surKana, surRomaji] = pick(rng, SURNAMES);
  const [given, givenKana, givenRomaji, gender] = pick(rng, GIVEN_NAMES);
  const age = 22 + Math.floor(rng() * 25);
  return {
    name: `${sur} ${given}`,
    nameKana: `${surKana} ${givenKana}`,
    nameRomaji: `${givenRomaji} ${surRomaji}`,
    gender,
    age,
    currentCompany: pick(rng, COMPANIES),
    role: pick(rng, ROLES),
    desiredSalary: 450 + Math.floor(rng() * 12) * 50,
    address: pick(rng, PREFS),
    phone: `090-${String(1000 + Math.floor(rng() * 9000))}-${String(index % 10000).padStart(4, '0')}`,
    email: `${givenRomaji.toLowerCase()}.${surRomaji.toLowerCase()}${index}@example.jp`,
    school: pick(rng, SCHOOLS),
    faculty: pick(rng, FACULTIES),
    graduationYear: 2026 - (age - 22),
  };
}

/** Timestamps ascending from `start`, `stepMs` apart; every `tieEvery`-th one repeats the previous. */
export function timeline(count: number, opts: { start?: string; stepMs?: number; tieEvery?: number } = {}): string[] {
  const start = Date.parse(opts.start ?? '2026-11-01T00:00:00.000Z');
  const step = opts.stepMs ?? 60_000;
  const tieEvery = opts.tieEvery ?? 0;
  const out: string[] = [];
  let t = start;
  for (let i = 0; i < count; i++) {
    if (i > 0 && !(tieEvery > 0 && i % tieEvery === 0)) t += step;
    out.push(new Date(t).toISOString());
  }
  return out;
}
