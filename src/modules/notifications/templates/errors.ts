/** Why a template could not be rendered: a stable code, where in the source, and the cause. */
export type TemplateErrorCode = 'TEMPLATE_INVALID' | 'TEMPLATE_RENDER_FAILED' | 'TEMPLATE_NO_DEFAULT' | 'MARKETING_FOOTER_INCOMPLETE' | 'MESSAGE_EMPTY'

export class TemplateError extends Error {
  override readonly name = 'TemplateError'
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    /** JSON pointer into the TemplateSource (`/subject`, `/body`), when the fault is in the source. */
    readonly pointer?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
