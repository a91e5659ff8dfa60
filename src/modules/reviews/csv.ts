import { parse as parseCsv } from 'csv-parse/sync'
import { AppError } from '../../platform/errors.js'

/**
 * Reads a reviews CSV (UTF-8, BOM or not): the first row names the columns; `rating`, `body` and
 * `product_id` or `sku` are required, `title`, `author`, `created_at`, `source`, `external_id`,
 * `status`, `locale` optional. Throws AppError (422) when the file cannot be used at all.
 */
export function parseReviewCsv(text: string): Array<Record<string, string>> {
  let rows: Array<Record<string, string>>
  try {
    rows = parseCsv(text.replace(/^\ufeff/, ''), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Array<Record<string, string>>
  } catch (err) {
    throw new AppError('CSV_INVALID', 'invalid_data', `The CSV cannot be read: ${(err as Error).message}`)
  }
  if (rows.length === 0) throw new AppError('CSV_EMPTY', 'invalid_data', 'The CSV has a header but no rows.')
  const cols = Object.keys(rows[0]!)
  if (!cols.includes('rating') || !cols.includes('body') || !(cols.includes('product_id') || cols.includes('sku'))) {
    throw new AppError('CSV_COLUMNS', 'invalid_data', `The CSV needs the columns rating, body and product_id or sku; it has ${cols.join(', ')}.`)
  }
  return rows
}

/** A spreadsheet must not run a cell as a formula (CSV injection): such cells get a leading quote. */
export function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v)
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
}
