import { z } from 'zod'

/** A new pool of codes. `expiresAt` is an ISO 8601 instant with an offset (the codes' end date in the shop). */
export const PoolInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict()
export type PoolInput = z.input<typeof PoolInput>

/** Most codes one upload may carry. */
export const MAX_CODES_PER_UPLOAD = 100_000
export const MAX_CODE_LENGTH = 64

/** The caller's idempotency key for one issue (e.g. `flow:<runId>:<step>`). */
export const IssueKey = z.string().min(1).max(200)
