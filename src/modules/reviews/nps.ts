/**
 * NPS and CSAT arithmetic. Pure: the service reads the answers, these functions count them.
 *
 * NPS = % promoters (9–10) − % detractors (0–6) over everyone who answered, a number from −100 to
 * 100. `nps` is rounded to a whole number half away from zero (−12.5 → −13, 12.5 → 13), as
 * survey tools print it; `exact` keeps the unrounded value for trends and sums.
 * CSAT = % of answers that are 4 or 5 on a 1–5 scale, rounded the same way; `average` has one
 * decimal.
 */

export interface NpsFigures {
  responses: number
  promoters: number
  passives: number
  detractors: number
  /** Whole number, half away from zero; null when nobody answered. */
  nps: number | null
  exact: number | null
}

export interface CsatFigures {
  responses: number
  satisfied: number
  csat: number | null
  average: number | null
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>
}

export type NpsGroup = 'promoter' | 'passive' | 'detractor'

/** Which group a 0–10 answer falls in. */
export function npsGroup(score: number): NpsGroup {
  if (!Number.isInteger(score) || score < 0 || score > 10) throw new RangeError(`an NPS answer is 0 to 10, not ${score}`)
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor'
}

/** Rounds half away from zero (Math.round rounds −12.5 to −12). */
export function roundHalfAway(x: number, decimals = 0): number {
  const f = 10 ** decimals
  // The epsilon keeps 12.5 from becoming 12.499999… after a division.
  return (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f
}

/** NPS of a set of 0–10 answers. */
export function npsOf(scores: readonly number[]): NpsFigures {
  let promoters = 0
  let passives = 0
  let detractors = 0
  for (const s of scores) {
    const g = npsGroup(s)
    if (g === 'promoter') promoters++
    else if (g === 'passive') passives++
    else detractors++
  }
  const n = scores.length
  const exact = n === 0 ? null : ((promoters - detractors) / n) * 100
  return { responses: n, promoters, passives, detractors, nps: exact === null ? null : roundHalfAway(exact), exact }
}

/** CSAT of a set of 1–5 answers. */
export function csatOf(scores: readonly number[]): CsatFigures {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 }
  let sum = 0
  for (const s of scores) {
    if (!Number.isInteger(s) || s < 1 || s > 5) throw new RangeError(`a CSAT answer is 1 to 5, not ${s}`)
    distribution[String(s) as keyof typeof distribution]++
    sum += s
  }
  const n = scores.length
  const satisfied = distribution['4'] + distribution['5']
  return {
    responses: n, satisfied, distribution,
    csat: n === 0 ? null : roundHalfAway((satisfied / n) * 100),
    average: n === 0 ? null : roundHalfAway(sum / n, 1),
  }
}

/**
 * The period an answer belongs to, in the brand's zone: `2026-11` for months, the ISO week
 * `2026-W48` for weeks.
 */
export function periodOf(at: Date, zone: string, by: 'month' | 'week'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at)
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value)
  const y = get('year')
  const m = get('month')
  const d = get('day')
  if (by === 'month') return `${y}-${String(m).padStart(2, '0')}`
  // ISO week: the week with the year's first Thursday is week 1.
  const date = new Date(Date.UTC(y, m - 1, d))
  const dow = date.getUTCDay() || 7
  date.setUTCDate(date.getUTCDate() + 4 - dow)
  const yearStart = new Date(Date.UTC(date.getUTCFullYear(), 0, 1))
  const week = Math.ceil(((date.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7)
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/**
 * Tells a person from a mail scanner: scanners open every link of a message within seconds, so
 * three or more different scores from one survey's links within a minute are not an answer.
 */
export function looksLikeScanner(hits: ReadonlyArray<readonly [number, number]>, now: number): boolean {
  const recent = new Set(hits.filter(([, at]) => now - at <= 60_000).map(([s]) => s))
  return recent.size >= 3
}
