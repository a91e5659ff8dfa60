import { z } from 'zod'
import { AppError } from '../../platform/errors.js'

/** A trait's value: what flow conditions compare. */
export type TraitValue = string | number | boolean | null

// Controls C0, DEL and C1.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** A tag: 1–64 characters (Japanese welcome), no control characters, no space at either end. */
export const Tag = z.string()
  .refine((t) => [...t].length >= 1 && [...t].length <= 64, 'must be 1–64 characters')
  .refine((t) => !CONTROL.test(t), 'must not contain control characters')
  .refine((t) => t.trim() === t, 'must not start or end with whitespace')

/** A trait key: 1–64 of A–Z, a–z, 0–9, `_`, `.` and `-` (e.g. `tier`, `nps.last`). */
export const TraitKey = z.string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 of A-Z, a-z, 0-9, _, . and -')
  .refine((k) => k !== '__proto__', 'must not be __proto__')

/** A trait value: a string of at most 1000 characters, a finite number, a boolean, or null (removes the trait). */
export const TraitValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])

export const TraitSource = z.string().min(1).max(100)

/** Parses `value` with `schema` or throws AppError `code` (invalid_data) pointing at `pointer`. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, code: string, pointer: string, what: string): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const message = r.error.issues[0]?.message ?? 'invalid'
  throw new AppError(code, 'invalid_data', `The ${what} ${message}.`, { fields: [{ pointer, message }] })
}
