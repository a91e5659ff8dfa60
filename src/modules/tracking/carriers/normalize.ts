// NFKC turns full-width digits, letters and － into ASCII; ー (katakana long mark) survives NFKC and is
// what Japanese IMEs often produce for a typed hyphen, so it is stripped explicitly.
const NUMBER_SEPARATORS = /[\s\-‐‑‒–—―−ー]/gu

/** Canonical tracking number: full-width folded to ASCII, spaces and hyphens removed, upper-cased. */
export function normalizeTrackingNumber(raw: string): string {
  return raw.normalize('NFKC').replace(NUMBER_SEPARATORS, '').toUpperCase()
}

/** Status text folded for lookup: NFKC (（）→()), whitespace collapsed, trailing 。/. dropped, lower-cased. */
export function normalizeStatusText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[。.!]+$/u, '')
    .toLowerCase()
}

/** 12 digits as 4-4-4, the way Japanese labels print them (e.g. 4444-1375-8703). */
export function groupsOfFour(n: string): string {
  return `${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}`
}
