import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import secureJsonParse from 'secure-json-parse'
import { AppError } from '../errors.js'

/**
 * Parses JSON bodies strictly: broken UTF-8 is refused (Node would otherwise turn it into U+FFFD
 * silently), prototype-poisoning keys are refused, and a syntax error says where it is.
 */
export function strictJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json'])
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(new AppError('EMPTY_BODY', 'bad_request', 'The request body is empty; send a JSON document.'), undefined)
    if (!isUtf8(body)) return done(new AppError('BODY_NOT_UTF8', 'bad_request', 'The request body is not valid UTF-8.'), undefined)
    try {
      done(null, secureJsonParse.parse(body.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      done(new AppError('MALFORMED_JSON', 'bad_request', `The request body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
}
