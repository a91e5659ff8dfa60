import { z } from 'zod'
import { AppError } from '../errors.js'

/** Query fields shared by every list endpoint. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
}

/** Cursors are opaque to clients: the base64url of the last id seen. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!/^[a-z]+_[0-9a-z]{26}$/.test(id)) {
    throw new AppError('CURSOR_INVALID', 'invalid_data', 'The cursor is not one this API returned.', { fields: [{ pointer: '/query/cursor', message: 'unknown cursor' }] })
  }
  return id
}

/** A page of results and the cursor of the next page (null on the last page). */
export function page<T extends { id: string }>(items: T[], limit: number) {
  const last = items[items.length - 1]
  return { items, nextCursor: items.length === limit && last ? encodeCursor(last.id) : null }
}
