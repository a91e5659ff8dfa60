/** What went wrong, in terms the HTTP layer maps to a status once, in one table. */
export type ErrorKind =
  | 'invalid_data'
  | 'bad_request'
  | 'unauthorized'
  | 'not_allowed'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unavailable'

export interface FieldError {
  /** JSON pointer to the failing field, e.g. `/lines/0/quantity`. */
  pointer: string
  message: string
}

/** The one error type of Kando: a stable machine code, a kind and a human detail. */
export class AppError extends Error {
  readonly code: string
  readonly kind: ErrorKind
  readonly fields?: FieldError[]
  readonly extra?: Record<string, unknown>

  constructor(
    code: string,
    kind: ErrorKind,
    detail: string,
    options: { fields?: FieldError[]; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.kind = kind
    this.fields = options.fields
    this.extra = options.extra
  }
}

export const statusOfKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_allowed: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  invalid_data: 422,
  unavailable: 503,
}
