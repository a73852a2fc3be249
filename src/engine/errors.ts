/**
 * Errors the engine raises about its inputs. They carry their own location so every caller (CLI,
 * action) prints the same one-line message, and so a caller can tell a bad config (exit code 2,
 * no stack trace) from a bug (anything else).
 */

/** What a ConfigError is built from. */
export interface ConfigErrorInit {
  /** Path of the config file as it should appear in messages. */
  file: string
  /** 1-based line; 0 when the error is about the file as a whole (e.g. it does not exist). */
  line?: number
  /** 1-based column; 0 when unknown. */
  column?: number
  /** Path of the offending key, e.g. `checks[1].command`; '' when no key is involved. */
  key?: string
  /** What is wrong, without the location (format() adds it). */
  message: string
}

/**
 * A problem in quorum.yml (or in the function checks it names) that the user must fix.
 * `message` is the bare description; print `format()` to show it with file, line and key.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly file: string
  readonly line: number
  readonly column: number
  readonly key: string

  constructor(init: ConfigErrorInit) {
    super(init.message)
    this.file = init.file
    this.line = init.line ?? 0
    this.column = init.column ?? 0
    this.key = init.key ?? ''
  }

  /**
   * One line, compiler style, e.g.
   * `quorum.yml:7:5: checks[1].comand: unknown key "comand" (did you mean "command"?)`.
   * Line and column are left out when unknown; the result never contains a line break, because
   * keys and values quoted in the message come from the user's file.
   */
  format(): string {
    let where = this.file
    if (this.line > 0) where += `:${this.line}`
    if (this.line > 0 && this.column > 0) where += `:${this.column}`
    const key = this.key === '' ? '' : `${this.key}: `
    return toOneLine(`${where}: ${key}${this.message}`)
  }

  override toString(): string {
    return this.format()
  }
}

/** Replaces line breaks and other control characters, which would split or garble one line. */
function toOneLine(text: string): string {
  return text.replace(/\r\n|[\n\r\u2028\u2029]/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?')
}
