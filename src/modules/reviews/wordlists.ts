/**
 * Word lists for review moderation. moderation.ts normalises every entry the same way it
 * normalises review text (NFKC, lower case, katakana → hiragana, spaces removed), so entries are
 * written in their natural spelling: 'バカ' also finds 'ばか' and 'ﾊﾞｶ'.
 *
 * What is listed: insults aimed at people, slurs, threats ("die", "I'll kill you") and sexual
 * vulgarity. What is NOT listed, on purpose: harsh words about a product or a brand (最低, ゴミ,
 * 詐欺, まずい, 二度と買わない, "crap", "worst"). Holding back negative reviews would mislead the
 * next buyer; a brand answers criticism, it does not moderate it away. Mild or ambiguous words
 * that are mostly used harmlessly in reviews are left out too (ガキ "my kid", デブ "I'm big, it
 * still fits", うざい about e-mails, "damn", "hell", "piss", "prick", "chink", "coon", "homo").
 *
 * Japanese has no spaces between words, so a short kana word is found inside unrelated words
 * (ばかり "only", やくそく "promise", まぶす "to coat", シネマ "cinema"). Three tools keep that down:
 * - `standalone`: the match must not run on into kana of the same script. Insults are usually
 *   written in katakana inside hiragana text (バカだ, クソが), and a script change is a word edge;
 *   ばかり, バカンス, やくそく, シネマ are one run of one script and are not flagged. The price is
 *   that an insult written in hiragana and glued to a particle (お前はばかだ) is missed.
 * - `katakanaOnly`: the entry's katakana must be katakana in the text. For words whose hiragana
 *   form is an ordinary verb ending or particle after a kanji (活かす, 好きも).
 * - `except`: longer spellings that contain the word but are harmless (バカうま "crazy tasty",
 *   悩殺する, 鶏糞 "chicken manure" for a garden brand, 支那そば as a ramen style).
 * クソ (and 糞): flagged as a word of its own, including as an intensifier (クソ高い, クソまずい),
 * because brands do not want it on product pages; not inside other words (やくそく, 下手くそ is
 * flagged as it is a word edge after a kanji). No list is complete: moderators see what is missed.
 */

export interface JaWord {
  word: string
  /** The match must be a word of its own: no kana of the same script right before or after it. */
  standalone?: boolean
  /** Kana written in katakana in `word` must be katakana in the text (hiragana is another word). */
  katakanaOnly?: boolean
  /** Harmless longer spellings containing `word`; an occurrence inside one of them is skipped. */
  except?: readonly string[]
}

export const JA_PROFANITY: readonly JaWord[] = [
  // threats and "die"
  { word: '死ね' },
  { word: '氏ね' }, // internet spelling of 死ね
  { word: 'しね', standalone: true }, // not シネマ
  { word: '殺す', except: ['殺する'] }, // 悩殺する, 相殺する are not threats
  { word: '殺してやる' },
  { word: 'ころす', standalone: true }, // not ところすごく
  { word: 'ころすぞ' },
  { word: 'ぶっ殺' },
  { word: 'ぶっころ' },
  { word: '消えろ' },
  { word: '失せろ' },
  // insults
  {
    word: 'ばか', standalone: true, // バカンス, ばかり, 使えばかなり are one kana run
    except: ['ばかうま', 'ばか旨', 'ばかうけ', 'ばか売れ', 'ばかうれ', 'ばか安', 'ばかでか'],
  },
  { word: '馬鹿', except: ['馬鹿うま', '馬鹿旨', '馬鹿売れ', '馬鹿安', '馬鹿でか', '馬鹿力'] },
  { word: 'ばかやろう' },
  { word: 'ばかやろ' },
  { word: 'ばかじゃない' },
  { word: 'ばかじゃね' },
  { word: 'あほ', standalone: true },
  { word: 'あほう', standalone: true }, // not アホウドリ (albatross)
  { word: '阿呆' },
  { word: 'くそ', standalone: true }, // not やくそく, ほくそ笑む
  { word: 'くそが' },
  { word: 'くそったれ' },
  { word: 'くそやろう' },
  { word: '糞', except: ['鶏糞', '牛糞', '馬糞', '豚糞', '糞尿'] },
  { word: 'ぶす', standalone: true }, // not まぶす, ブスッと
  { word: 'キモい', katakanaOnly: true },
  { word: 'キモ', katakanaOnly: true, standalone: true, except: ['キモかわ'] }, // キモノ is one run
  { word: 'きもい', standalone: true }, // 動きもいい is not one
  { word: 'カス', katakanaOnly: true, standalone: true, except: ['酒カス', '天カス', '油カス'] }, // 活かす is a verb
  { word: 'くずやろう' },
  { word: 'クズ野郎' },
  { word: '人間のくず' },
  { word: 'ばばあ' },
  { word: 'ばばぁ' },
  { word: 'じじい' },
  { word: 'じじぃ' },
  // slurs
  { word: 'がいじ', standalone: true }, // not ガイジン
  { word: 'きちがい', standalone: true, except: ['聞きちがい', '行きちがい', '引きちがい', '書きちがい'] },
  { word: '気違い' },
  { word: '基地外' },
  { word: 'ちょん', standalone: true }, // not ちょんまげ
  { word: '支那', except: ['支那そば', '支那竹'] },
  // sexual vulgarity
  { word: 'ちんこ', except: ['ちんこう'] },
  { word: 'ちんぽ' },
  { word: 'まんこ', except: ['まんこう'] },
  { word: 'レイプ', standalone: true },
  { word: 'ファック', standalone: true },
  { word: 'ファッキン', standalone: true },
]

export interface EnWord {
  word: string
  /** Endings that still count as the word (default EN_SUFFIXES); narrow it where a longer word is harmless. */
  suffixes?: readonly string[]
}

/** fuck → fucks, fucked, fucker, fucking, fuckin; shit → shitty (doubled letters are one letter). */
export const EN_SUFFIXES: readonly string[] = ['', 's', 'es', 'ed', 'er', 'ers', 'ing', 'in', 'y']

const PLURAL = ['', 's'] as const

/**
 * Matched against whole words only, so Scunthorpe, assessment, class, cocktail, shiitake, spicy,
 * Japan and Dickens are not flagged. Compounds are listed because "bullshit" is one word.
 */
export const EN_PROFANITY: readonly EnWord[] = [
  { word: 'fuck' },
  { word: 'fck' },
  { word: 'fuk' },
  { word: 'motherfucker' },
  { word: 'fuckface' },
  { word: 'fuckwit' },
  { word: 'shit' },
  { word: 'bullshit' },
  { word: 'horseshit' },
  { word: 'dipshit' },
  { word: 'shithead', suffixes: PLURAL },
  { word: 'bitch' },
  { word: 'cunt' },
  { word: 'ass', suffixes: ['', 'es'] }, // not assess, asset, Assam
  { word: 'asshole', suffixes: PLURAL },
  { word: 'arsehole', suffixes: PLURAL },
  { word: 'dumbass', suffixes: ['', 'es'] },
  { word: 'jackass', suffixes: ['', 'es'] },
  { word: 'bastard', suffixes: PLURAL },
  { word: 'dick', suffixes: PLURAL }, // not dickens; the name Dick is a known false positive
  { word: 'dickhead', suffixes: PLURAL },
  { word: 'cock', suffixes: PLURAL }, // not cocky, cocktail, cockpit
  { word: 'cocksucker', suffixes: PLURAL },
  { word: 'whore' },
  { word: 'slut' },
  { word: 'wanker', suffixes: PLURAL },
  { word: 'twat', suffixes: PLURAL },
  { word: 'bollocks', suffixes: [''] },
  // slurs
  { word: 'nigger', suffixes: PLURAL },
  { word: 'nigga', suffixes: PLURAL },
  { word: 'faggot', suffixes: PLURAL },
  { word: 'fag', suffixes: PLURAL },
  { word: 'retard', suffixes: ['', 's', 'ed'] }, // not retardant
  { word: 'kike', suffixes: PLURAL },
  { word: 'spic', suffixes: PLURAL }, // not spicy
  { word: 'jap', suffixes: PLURAL }, // not japan, japes
]

/** Top-level domains that make a bare "name.tld" a link; a short list keeps "27.5cm" and "Node.js" out. */
export const LINK_TLDS: ReadonlySet<string> = new Set([
  'com', 'net', 'org', 'info', 'biz', 'jp', 'io', 'co', 'ly', 'me', 'to', 'gl', 'gd', 'be', 'ai',
  'app', 'dev', 'shop', 'store', 'site', 'online', 'xyz', 'link', 'page', 'tv', 'cc', 'us', 'uk',
  'cn', 'kr', 'tw', 'asia', 'tokyo', 'top', 'club', 'blog', 'live', 'fm', 'ws', 'eu', 'de', 'fr',
])

/** The 47 prefectures, as written at the start of a Japanese address. */
export const PREFECTURES: readonly string[] = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県',
  '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県',
  '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県',
  '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県',
  '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
]
