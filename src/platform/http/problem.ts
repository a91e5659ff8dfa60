import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { ZodError } from 'zod'
import { AppError, statusOfKind, type FieldError } from '../errors.js'

/** RFC 9457 problem details, the body of every error Kando answers. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  errors?: FieldError[]
  [extra: string]: unknown
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  // Core members last: an extra member can never overwrite status or code.
  return { ...extra, type: `https://kando.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`, title: TITLES[status] ?? 'Error', status, detail, code }
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p)
}

/** Zod issues as JSON pointers into the request part that failed (`/lines/0/quantity`). */
export function fieldErrorsOf(err: ZodError, prefix = ''): FieldError[] {
  return err.issues.map((i) => ({ pointer: prefix + (i.path.length ? '/' + i.path.map(String).join('/') : ''), message: issueMessage(i) }))
}

function issueMessage(i: ZodError['issues'][number]): string {
  if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`
  return i.message
}

/** Maps any error to problem+json: one table of kinds, no route decides its own error shape. */
export function errorToProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url
  if (error instanceof AppError) {
    const status = statusOfKind[error.kind]
    return problem(status, error.code, error.message, { instance, ...(error.fields ? { errors: error.fields } : {}), ...(error.extra ?? {}) })
  }
  if (error instanceof ZodError) {
    return problem(422, 'VALIDATION_FAILED', 'The request is not valid: see errors.', { instance, errors: fieldErrorsOf(error) })
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = (error as FastifyError).validationContext ?? 'body'
    const errors: FieldError[] = error.validation.map((v) => {
      const issue = (v.params as { issue?: ZodError['issues'][number] } | undefined)?.issue
      const path = issue ? issue.path.map(String).join('/') : (v.instancePath ?? '').replace(/^\//, '')
      const pointer = `/${part}${path ? '/' + path : ''}`
      return { pointer, message: issue ? issueMessage(issue) : v.message ?? 'invalid' }
    })
    const first = errors[0]
    return problem(422, 'VALIDATION_FAILED', `The request ${part} is not valid${first ? `: ${first.pointer} ${first.message}` : ''}.`, { instance, errors })
  }
  const fe = error as FastifyError
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted here; send application/json.`, { instance })
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'BODY_TOO_LARGE', `The request body is larger than the limit of ${request.routeOptions.bodyLimit ?? 'the configured'} bytes.`, { instance })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'EMPTY_BODY', 'The request body is empty; send a JSON document.', { instance })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'BAD_CONTENT_LENGTH', 'Content-Length does not match the body.', { instance })
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message, { instance })
  }
  return problem(500, 'INTERNAL_ERROR', 'Something went wrong on our side. It has been logged.', { instance })
}
