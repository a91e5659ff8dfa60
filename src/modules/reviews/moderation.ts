/**
 * Review moderation, pure: what in a review's text needs a moderator's eye (profanity in Japanese
 * and English, personal data, links), whether a review is published on its own, and masking of
 * phone numbers and e-mail addresses.
 *
 * Every detector reads a normalised copy of the text (NFKC per character, ASCII lower case, dash
 * variants as '-') that keeps, for each of its characters, where it came from, so a flag shows and
 * a mask replaces exactly what the customer typed (full-width digits included). Text is only text
 * here: `<script>` is not escaped (that happens at render time). Every pattern is linear in the
 * length of the text: regexes start only at the beginning of a run (a lookbehind) and have no
 * nested or overlapping quantifiers, and the rest is bounded scans.
 */
import { z } from 'zod'
import { EN_PROFANITY, EN_SUFFIXES, JA_PROFANITY, LINK_TLDS, PREFECTURES } from './wordlists.js'

export type ReviewFlag = {
  kind: 'profanity' | 'personal_data' | 'link'
  field: 'title' | 'body' | 'answer'
  /** The text as the customer typed it, at most 80 characters. */
  match: string
  /** A short English reason: 'phone number', 'email address', 'street address', 'postal code', 'URL', 'profanity (ja)', … */
  detail: string
}

const MAX_MATCH = 80

// ---------------------------------------------------------------------------------------------
// Normalisation with a map back to the original

interface Mapped {
  /** NFKC, ASCII lower case, dashes as '-', format characters (zero-width space…) dropped. */
  text: string
  /** For each UTF-16 unit of `text`, the original [from, to) it came from. */
  from: number[]
  to: number[]
}

// A character with its combining marks; half-width ﾞ/ﾟ are letters, not marks, but NFKC joins them
const CLUSTER = /[\s\S][\p{M}\uFF9E\uFF9F]*/gu
const FORMAT = /^\p{Cf}/u
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g

function normalize(input: string): Mapped {
  let text = ''
  const from: number[] = []
  const to: number[] = []
  for (const m of input.matchAll(CLUSTER)) {
    const c = m[0]
    const start = m.index
    const code = c.charCodeAt(0)
    let n: string
    if (c.length === 1 && code < 0x80) n = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : c
    else if (FORMAT.test(c)) n = ''
    else n = c.normalize('NFKC').replace(/[A-Z]/g, (x) => x.toLowerCase()).replace(DASHES, '-')
    for (let i = 0; i < n.length; i++) { from.push(start); to.push(start + c.length) }
    text += n
  }
  return { text, from, to }
}

interface Hit { start: number; end: number; kind: ReviewFlag['kind']; detail: string }

/** A span of the normalised text as a span of the original. */
function hitOf(m: Mapped, start: number, end: number, kind: ReviewFlag['kind'], detail: string): Hit {
  return { start: m.from[start]!, end: m.to[end - 1]!, kind, detail }
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isLower = (c: number) => c >= 97 && c <= 122

// ---------------------------------------------------------------------------------------------
// Phone numbers

// Digit groups joined by short separators: 03-1234-5678, (03) 1234 5678, 090.1234.5678
const NUMBER_RUN = /(?<!\d)\d+(?:[-.\s()]{1,3}\d+)*/g

/** Japanese numbering plan, national form: mobile / IP / 0800 have 11 digits, the rest 10. */
function isJapanesePhone(d: string): boolean {
  if (/^0[5789]0\d{8}$/.test(d) || /^020\d{8}$/.test(d)) return true
  return /^0[1-9]\d{8}$/.test(d) && !/^0[5789]0/.test(d)
}

function isPhone(digits: string, international: boolean): boolean {
  if (!international) return isJapanesePhone(digits)
  if (digits.startsWith('81')) {
    // +81 90…, +81 (0)90… and +81 090… all mean 090…
    const rest = digits.slice(2)
    return isJapanesePhone('0' + (rest.startsWith('0') ? rest.slice(1) : rest))
  }
  return digits.length >= 10 && digits.length <= 15 // any other country, E.164 length
}

/** Phone number spans in a normalised text (ー between digits already read as '-'). */
function findPhones(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const run of s.matchAll(NUMBER_RUN)) {
    const groups: Array<{ start: number; end: number; digits: string; spaceBefore: boolean }> = []
    let prevEnd = -1
    for (const g of run[0].matchAll(/\d+/g)) {
      const start = run.index + g.index
      groups.push({ start, end: start + g[0].length, digits: g[0], spaceBefore: prevEnd >= 0 && /\s/.test(s.slice(prevEnd, start)) })
      prevEnd = start + g[0].length
    }
    const lead = s.slice(Math.max(0, run.index - 2), run.index)
    const plus = /\+\s?$/.test(lead)
    // #1042, ¥1980, $1980 are order numbers and prices whatever their digits; after 2026/01/ or
    // 10: or 1, the digits belong to a date, a time or a price
    const priceOrId = /[#¥$€£]$|\d[/:,]$/.test(lead)
    const gluedAfter = /^[/:]\d/.test(s.slice(run.index + run[0].length, run.index + run[0].length + 2))
    // A number starts at the run's start or after a space (not inside 2026-0312-…), and ends likewise
    let first = 0
    while (first < groups.length) {
      if ((first === 0 && priceOrId) || (first > 0 && !groups[first]!.spaceBefore)) { first++; continue }
      let digits = ''
      let best = -1
      for (let last = first; last < groups.length; last++) {
        digits += groups[last]!.digits
        if (digits.length > 15) break
        const endsHere = last === groups.length - 1 ? !gluedAfter : groups[last + 1]!.spaceBefore
        if (endsHere && isPhone(digits, first === 0 && plus)) best = last
      }
      if (best < 0) { first++; continue }
      // +81… and (03) 1234-5678 start before the digits
      const start = first > 0 ? groups[first]!.start : plus ? run.index - lead.length + lead.indexOf('+') : lead.endsWith('(') ? run.index - 1 : run.index
      out.push([start, groups[best]!.end])
      first = best + 1
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses: found from each '@' by bounded scans (a regex would be quadratic on 'aaaa…@')

const AT = /@|\(at\)|\[at\]/g
const isLocalChar = (c: number) => isLower(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 // . _ % + -
const isDomainChar = (c: number) => isLower(c) || isDigit(c) || c === 46 || c === 45 // . -

/** E-mail address spans in a normalised text; "name(at)example.com" counts too. */
function findEmails(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const m of s.matchAll(AT)) {
    const at = m.index
    let a = at
    while (a > 0 && at - a < 64 && isLocalChar(s.charCodeAt(a - 1))) a--
    while (a < at && s[a] === '.') a++
    if (a === at) continue
    const d0 = at + m[0].length
    let b = d0
    while (b < s.length && b - d0 < 253 && isDomainChar(s.charCodeAt(b))) b++
    while (b > d0 && (s[b - 1] === '.' || s[b - 1] === '-')) b--
    const labels = s.slice(d0, b).split('.')
    if (labels.length < 2 || labels.some((l) => l === '' || l.startsWith('-')) || !/^[a-z]{2,}$/.test(labels[labels.length - 1]!)) continue
    out.push([a, b])
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Addresses and postal codes

const PREF = `(?:${PREFECTURES.join('|')})`
// Kanji or katakana before 市区町村郡; the few cities named in hiragana are listed (さいたま市)
const MUNI = '(?:(?:さいたま|つくば|いわき|ひたちなか)[\\p{sc=Han}\\p{sc=Katakana}ヶ]{0,5}|[\\p{sc=Han}\\p{sc=Katakana}ヶ]{1,6})[市区町村郡]'
// Town names: no spaces, digits or sentence punctuation, except Sapporo-style 北1条西
const TOWN_PART = '(?:[^\\s\\d、。,.!?！？「」『』()（）]|\\d{1,2}条)'
// Block numbers follow a town name (kanji or katakana), never a particle: 横浜市で2026-11-26 is a date
const AFTER_NAME = '(?<=[\\p{sc=Han}\\p{sc=Katakana}ヶ])'
const CHOME = '(?:\\d{1,2}|[一二三四五六七八九十]{1,3})丁目(?:\\d{1,4}(?:番地?|-)(?:\\d{1,4}号?)?)?'
const BANCHI = '\\d{1,4}番地(?:の?\\d{1,4})?|\\d{1,4}番\\d{1,4}号'
// 1-2-3 (chōme-ban-gō) with an optional room; the first number is a chōme, so two digits at most
const DASHED = '(?<![\\d-])\\d{1,2}-\\d{1,4}-\\d{1,4}(?:-\\d{1,4})?(?![\\d-])'
// After a prefecture, 1234-5 (banchi-gō, rural) too; a 4-digit first number starting 19/20 is a year
const DASHED_LOOSE = '(?<![\\d-])(?!(?:19|20)\\d\\d-)\\d{1,4}-\\d{1,4}(?:-\\d{1,4}){0,2}(?![\\d-])'
const ADDRESS_MUNI = new RegExp(`${MUNI}${TOWN_PART}{0,15}?${AFTER_NAME}(?:${CHOME}|${BANCHI}|${DASHED})`, 'gu')
const ADDRESS_PREF = new RegExp(`${PREF}\\s?${TOWN_PART}{1,20}?${AFTER_NAME}(?:${CHOME}|${BANCHI}|${DASHED_LOOSE})`, 'gu')
const POSTAL = /(〒\s?)?(?<![\d-])\d{3}(-?)\d{4}(?![\d-])/g
const ADDRESS_AHEAD = new RegExp(`^\\s{0,2}(?:${PREF}|${MUNI})`, 'u')

function findAddresses(s: string): Array<[number, number]> {
  // Cheap checks first: every address has a municipality or prefecture and a block number
  if (!/[市区町村郡都道府県]/.test(s) || !/\d|丁目/.test(s)) return []
  return [...s.matchAll(ADDRESS_MUNI), ...s.matchAll(ADDRESS_PREF)].map((m) => [m.index, m.index + m[0].length])
}

/** 〒150-0001 always; 150-0001 only right before an address (or after 郵便番号), else it is any number. */
function findPostalCodes(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const m of s.matchAll(POSTAL)) {
    const marked = m[1] !== undefined || /郵便番号[:\s]{0,2}$/.test(s.slice(Math.max(0, m.index - 7), m.index))
    const end = m.index + m[0].length
    if (marked || (m[2] === '-' && ADDRESS_AHEAD.test(s.slice(end, end + 12)))) out.push([m.index, end])
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Links

// The characters RFC 3986 allows in a URL, less quotes: href="https://…" ends at the quote
const URL_RE = /https?:\/\/[\w\-.~:/?#[\]@!$&()*+,;=%]+/g
const URL_CHAR = /[\w\-.~:/?#[\]@!$&()*+,;=%]/
// A maximal run of dotted labels; the lookbehind keeps the regex from restarting inside a run
const DOMAIN_RUN = /(?<![a-z0-9-])[a-z0-9-]+(?:\.[a-z0-9-]+)+/g
const DOT = '(?:[ \\t]{0,3}(?:\\(dot\\)|\\[dot\\]|ドット)[ \\t]{0,3}|[ \\t]{1,3}dot[ \\t]{1,3})'
const OBFUSCATED_DOMAIN = new RegExp(`(?<![a-z0-9-])([a-z0-9-]{1,63})${DOT}(?:co${DOT}jp|com|net|org|jp|io|ly|info|shop)(?![a-z0-9-])`, 'g')
const TRAILING_PUNCT = /[.,;:!?'")\]}>]/

function trimEnd(s: string, start: number, end: number): number {
  while (end > start && TRAILING_PUNCT.test(s[end - 1]!)) end--
  return end
}

/** Extends a domain with its path (bit.ly/abc). */
function withPath(s: string, end: number): number {
  if (s[end] !== '/') return end
  let e = end
  while (e < s.length && URL_CHAR.test(s[e]!)) e++
  return trimEnd(s, end, e)
}

function findLinks(m: Mapped, original: string): Array<[number, number, string]> {
  const s = m.text
  const out: Array<[number, number, string]> = []
  for (const u of s.matchAll(URL_RE)) out.push([u.index, trimEnd(s, u.index, u.index + u[0].length), 'URL'])
  for (const r of s.matchAll(DOMAIN_RUN)) {
    let end = r.index + r[0].length
    while (s[end - 1] === '-') end--
    const labels = s.slice(r.index, end).split('.')
    const tld = labels[labels.length - 1]!
    if (labels[0] === 'www' && labels[1]) {
      out.push([r.index, withPath(s, end), 'URL'])
      continue
    }
    if (!LINK_TLDS.has(tld) || !labels.slice(0, -1).some((l) => /[a-z]/.test(l))) continue
    // "it.To be honest": a capital after the dot and no capital before is a missing space, not a domain
    const tldStart = end - tld.length
    const before = original.slice(m.from[tldStart - 2]!, m.to[tldStart - 2]!)
    const after = original.slice(m.from[tldStart]!, m.to[tldStart]!)
    if (/[a-zａ-ｚ]/.test(before) && /[A-ZＡ-Ｚ]/.test(after)) continue
    out.push([r.index, withPath(s, end), 'domain name'])
  }
  for (const o of s.matchAll(OBFUSCATED_DOMAIN)) {
    if (/[a-z]/.test(o[1]!)) out.push([o.index, o.index + o[0].length, 'obfuscated domain name'])
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Profanity, Japanese: kana in one script, spaces and separators removed, word edges by script

const Script = { Other: 0, Hiragana: 1, Katakana: 2, LongVowel: 3 } as const
type Script = (typeof Script)[keyof typeof Script]

function scriptOf(c: number): Script {
  if (c === 0x30fc) return Script.LongVowel
  if (c >= 0x3041 && c <= 0x309f) return Script.Hiragana
  if ((c >= 0x30a1 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff)) return Script.Katakana
  return Script.Other
}

interface JaView {
  /** Hiragana for all kana, without spaces and separators. */
  text: string
  /** Index in the normalised text of each character. */
  at: number[]
  script: Script[]
  /** Whether a space or separator was removed right before the character. */
  gap: boolean[]
}

// Spaces and separators people insert to get past a filter: ば か, し・ね, バ.カ
const JA_SKIP = /[\s・.\-_*~|/]/

function toHiragana(c: number): number {
  return (c >= 0x30a1 && c <= 0x30f6) || c === 0x30fd || c === 0x30fe ? c - 0x60 : c
}

function jaView(s: string): JaView {
  const at: number[] = []
  const script: Script[] = []
  const gap: boolean[] = []
  const chars: string[] = []
  let skipped = false
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (JA_SKIP.test(ch)) { skipped = true; continue }
    const c = s.charCodeAt(i)
    chars.push(String.fromCharCode(toHiragana(c)))
    at.push(i)
    script.push(scriptOf(c))
    gap.push(skipped)
    skipped = false
  }
  return { text: chars.join(''), at, script, gap }
}

/** Whether the boundary before position p is a word edge: text end, a removed space, a non-kana, or a change of script. */
function isEdge(v: JaView, p: number): boolean {
  if (p <= 0 || p >= v.text.length || v.gap[p]) return true
  const a = v.script[p - 1]!
  const b = v.script[p]!
  if (a === Script.Other || b === Script.Other) return true
  if (a === Script.LongVowel || b === Script.LongVowel) return false // バカー continues the word
  return a !== b
}

interface JaEntry { word: string; standalone: boolean; katakana: boolean[] | null; except: Array<{ text: string; offset: number }> }

const JA_ENTRIES: JaEntry[] = JA_PROFANITY.map((e) => {
  const v = jaView(normalize(e.word).text)
  const except = (e.except ?? []).map((x) => {
    const text = jaView(normalize(x).text).text
    const offset = text.indexOf(v.text)
    if (offset < 0) throw new Error(`wordlists: exception ${x} does not contain ${e.word}`)
    return { text, offset }
  })
  return { word: v.text, standalone: e.standalone ?? false, katakana: e.katakanaOnly ? v.script.map((sc) => sc === Script.Katakana) : null, except }
})

function findJaProfanity(s: string): Array<[number, number]> {
  const v = jaView(s)
  const spans: Array<[number, number]> = []
  for (const e of JA_ENTRIES) {
    const n = e.word.length
    for (let i = v.text.indexOf(e.word); i >= 0; i = v.text.indexOf(e.word, i + 1)) {
      if (e.standalone && !(isEdge(v, i) && isEdge(v, i + n))) continue
      if (e.katakana && e.katakana.some((k, j) => k && v.script[i + j] !== Script.Katakana)) continue
      if (e.except.some((x) => i >= x.offset && v.text.startsWith(x.text, i - x.offset))) continue
      spans.push([i, i + n])
    }
  }
  // クソが also matches くそ: keep the longer match
  spans.sort((x, y) => x[0] - y[0] || y[1] - x[1])
  const kept: Array<[number, number]> = []
  for (const sp of spans) {
    const last = kept[kept.length - 1]
    if (last && sp[1] <= last[1]) continue
    kept.push(sp)
  }
  return kept.map(([a, b]) => [v.at[a]!, v.at[b - 1]! + 1])
}

// ---------------------------------------------------------------------------------------------
// Profanity, English: whole words, leetspeak, repeated letters, letters spelled out with separators

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '@': 'a', '$': 's' }
const isTokenChar = (ch: string) => (ch >= 'a' && ch <= 'z') || ch in LEET
// Between spelled-out letters: f.u.c.k, f u c k, f-u-c-k, f*u*c*k
const isSpellSeparator = (ch: string) => /[\s.\-_*·・~+]/.test(ch)

interface Token { start: number; end: number; raw: string }
interface EnEntry { runs: Array<[string, number]>; suffixes: readonly string[] }

/** 'fuuuck' → [['f',1],['u',3],['c',1],['k',1]] */
function runLengths(w: string): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (const ch of w) {
    const last = out[out.length - 1]
    if (last && last[0] === ch) last[1]++
    else out.push([ch, 1])
  }
  return out
}

const EN_BY_FIRST = new Map<string, EnEntry[]>()
for (const e of EN_PROFANITY) {
  const list = EN_BY_FIRST.get(e.word[0]!) ?? []
  list.push({ runs: runLengths(e.word), suffixes: e.suffixes ?? EN_SUFFIXES })
  EN_BY_FIRST.set(e.word[0]!, list)
}

/**
 * Whether a word is the entry: each letter at least as often as in the entry (fuuuck), then one of
 * the entry's endings exactly (an ending with repeats, "assess", is another word).
 */
function isEntry(word: string, e: EnEntry): boolean {
  let i = 0
  for (const [ch, n] of e.runs) {
    let k = 0
    while (i < word.length && word[i] === ch) { i++; k++ }
    if (k < n) return false
  }
  return e.suffixes.includes(word.slice(i))
}

function tokens(s: string): Token[] {
  const raw: Token[] = []
  let i = 0
  while (i < s.length) {
    if (!isTokenChar(s[i]!)) { i++; continue }
    const start = i
    while (i < s.length && isTokenChar(s[i]!)) i++
    raw.push({ start, end: i, raw: s.slice(start, i) })
  }
  // Three or more single letters with short separators between them are one spelled-out word
  const out: Token[] = []
  for (let k = 0; k < raw.length;) {
    let j = k
    while (j + 1 < raw.length && raw[j]!.raw.length === 1 && raw[j + 1]!.raw.length === 1 && joinable(s, raw[j]!.end, raw[j + 1]!.start)) j++
    if (j - k >= 2) {
      out.push({ start: raw[k]!.start, end: raw[j]!.end, raw: raw.slice(k, j + 1).map((t) => t.raw).join('') })
      k = j + 1
    } else {
      out.push(raw[k]!)
      k++
    }
  }
  return out
}

function joinable(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 3) return false
  for (let i = from; i < to; i++) if (!isSpellSeparator(s[i]!)) return false
  return true
}

function findEnProfanity(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const t of tokens(s)) {
    let letters = 0
    let word = ''
    for (const ch of t.raw) {
      if (ch >= 'a' && ch <= 'z') { letters++; word += ch } else word += LEET[ch]
    }
    // "$100", "a55" (a phone model) and "4.5.5" are numbers, not leetspeak: it needs two real letters
    if (word.length !== letters && letters < 2) continue
    const candidates = EN_BY_FIRST.get(word[0]!)
    if (candidates?.some((e) => isEntry(word, e))) out.push([t.start, t.end])
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Public API

function truncate(s: string): string {
  if (s.length <= MAX_MATCH) return s
  return [...s.slice(0, MAX_MATCH * 2)].slice(0, MAX_MATCH).join('')
}

const overlaps = (a: Hit, b: Hit) => a.start < b.end && b.start < a.end

function personalDataView(m: Mapped): string {
  // People type the long-vowel mark for a dash in phone numbers: 090ー1234ー5678
  return m.text.replace(/(?<=\d)[ーｰ](?=\d)/g, '-')
}

function flagField(field: ReviewFlag['field'], text: string): ReviewFlag[] {
  const m = normalize(text)
  const pd = personalDataView(m)
  const hits: Hit[] = []
  const emails = findEmails(pd).map(([a, b]) => hitOf(m, a, b, 'personal_data', 'email address'))
  hits.push(...emails)
  for (const [a, b] of findPhones(pd)) hits.push(hitOf(m, a, b, 'personal_data', 'phone number'))
  for (const [a, b] of findAddresses(pd)) hits.push(hitOf(m, a, b, 'personal_data', 'street address'))
  for (const [a, b] of findPostalCodes(pd)) hits.push(hitOf(m, a, b, 'personal_data', 'postal code'))
  const links: Hit[] = []
  for (const [a, b, detail] of findLinks(m, text)) {
    const h = hitOf(m, a, b, 'link', detail)
    // the domain of an e-mail address, or the host inside a URL already flagged, is not another link
    if (!emails.some((e) => overlaps(e, h)) && !links.some((l) => overlaps(l, h))) links.push(h)
  }
  hits.push(...links)
  for (const [a, b] of findJaProfanity(m.text)) hits.push(hitOf(m, a, b, 'profanity', 'profanity (ja)'))
  for (const [a, b] of findEnProfanity(m.text)) hits.push(hitOf(m, a, b, 'profanity', 'profanity (en)'))

  hits.sort((a, b) => a.start - b.start || b.end - a.end)
  const seen = new Set<string>()
  const flags: ReviewFlag[] = []
  for (const h of hits) {
    const match = truncate(text.slice(h.start, h.end))
    const key = `${h.kind}\u0000${h.detail}\u0000${match}`
    if (seen.has(key)) continue
    seen.add(key)
    flags.push({ kind: h.kind, field, match, detail: h.detail })
  }
  return flags
}

/**
 * Profanity (Japanese and English), personal data (phone numbers, e-mail addresses, street
 * addresses, postal codes) and links in a review's title, body and answers, in that order.
 * @example flagReviewText({ body: '電話は090-1234-5678です' }) // [{ kind: 'personal_data', field: 'body', match: '090-1234-5678', detail: 'phone number' }]
 */
export function flagReviewText(input: { title?: string | null; body?: string | null; answers?: string[] }): ReviewFlag[] {
  const flags: ReviewFlag[] = []
  if (input.title) flags.push(...flagField('title', input.title))
  if (input.body) flags.push(...flagField('body', input.body))
  for (const a of input.answers ?? []) if (a) flags.push(...flagField('answer', a))
  return flags
}

/**
 * The text with every phone number and e-mail address that flagReviewText finds replaced by '***';
 * everything else stays as typed.
 * @example maskPersonalData('連絡は090-1234-5678まで') // '連絡は***まで'
 */
export function maskPersonalData(text: string): string {
  const m = normalize(text)
  const pd = personalDataView(m)
  const spans = [...findEmails(pd), ...findPhones(pd)]
    .map(([a, b]) => [m.from[a]!, m.to[b - 1]!] as const)
    .sort((x, y) => x[0] - y[0])
  let out = ''
  let pos = 0
  for (const [a, b] of spans) {
    if (b <= pos) continue
    out += text.slice(pos, Math.max(a, pos)) + (a >= pos ? '***' : '')
    pos = b
  }
  return out + text.slice(pos)
}

// ---------------------------------------------------------------------------------------------
// Publication rules

export type ModerationRules = {
  /** Publish reviews without a moderator when nothing below holds them back. */
  autoPublish: boolean
  /** Reviews below this many stars wait for a moderator. */
  minRating: 1 | 2 | 3 | 4 | 5
  /** Publish even with flags? Never for personal data. Default false. */
  allowFlags: boolean
  /** Reviews with photos or videos wait for a moderator. */
  mediaNeedsApproval: boolean
}

export const DEFAULT_MODERATION_RULES: ModerationRules = Object.freeze({ autoPublish: true, minRating: 4, allowFlags: false, mediaNeedsApproval: false })

/** A brand's moderation rules; every field is optional and defaults to DEFAULT_MODERATION_RULES. */
export const moderationRulesSchema = z.strictObject({
  autoPublish: z.boolean().default(DEFAULT_MODERATION_RULES.autoPublish),
  minRating: z.literal([1, 2, 3, 4, 5]).default(DEFAULT_MODERATION_RULES.minRating),
  allowFlags: z.boolean().default(DEFAULT_MODERATION_RULES.allowFlags),
  mediaNeedsApproval: z.boolean().default(DEFAULT_MODERATION_RULES.mediaNeedsApproval),
}) satisfies z.ZodType<ModerationRules, Partial<ModerationRules>>

const KIND_WORDS: Record<ReviewFlag['kind'], string> = { profanity: 'profanity', personal_data: 'personal data', link: 'a link' }

function flagWords(flags: ReviewFlag[]): string {
  const kinds = (['profanity', 'link'] as const).filter((k) => flags.some((f) => f.kind === k))
  return kinds.map((k) => KIND_WORDS[k]).join(' and ')
}

/**
 * Whether a review is published without a moderator, and why, in one sentence. Personal data
 * always waits (it protects the customer who typed it, whatever the brand's rules); other flags
 * wait unless the brand allows them; then auto-publish, the star threshold and photo approval.
 * @example decidePublication(DEFAULT_MODERATION_RULES, { rating: 5, flags: [], mediaCount: 0 }) // { publish: true, reason: '4★ or more with no flags: published automatically' }
 */
export function decidePublication(rules: ModerationRules, review: { rating: number; flags: ReviewFlag[]; mediaCount: number }): { publish: boolean; reason: string } {
  const { rating, flags, mediaCount } = review
  const wait = (why: string) => ({ publish: false, reason: `${why}: waits for moderation` })
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) return wait(`a rating of ${rating} is not 1 to 5 stars`)
  // First, so a moderator sees it even when nothing would be auto-published anyway
  if (flags.some((f) => f.kind === 'personal_data')) return wait('flagged for personal data')
  if (!rules.autoPublish) return wait('auto-publish is off')
  if (flags.length > 0 && !rules.allowFlags) return wait(`flagged for ${flagWords(flags)}`)
  if (rating < rules.minRating) return wait(`${rating}★ is below the auto-publish threshold of ${rules.minRating}★`)
  if (mediaCount > 0 && rules.mediaNeedsApproval) return wait('has photos and photo approval is on')
  if (flags.length > 0) return { publish: true, reason: `${rules.minRating}★ or more, flagged for ${flagWords(flags)} and flags are allowed: published automatically` }
  return { publish: true, reason: `${rules.minRating}★ or more with no flags: published automatically` }
}
