// mjml 5 ships no type declarations; this types only the part the template engine uses.
declare module 'mjml' {
  interface MjmlValidationError {
    line: number
    message: string
    tagName: string
    formattedMessage: string
  }
  interface MjmlOptions {
    validationLevel?: 'strict' | 'soft' | 'skip'
    keepComments?: boolean
    /** Never let a template read files from the server. */
    ignoreIncludes?: boolean
    fonts?: Record<string, string>
    filePath?: string
  }
  export default function mjml2html(input: string, options?: MjmlOptions): Promise<{ html: string; errors: MjmlValidationError[] }>
}
