/**
 * The one error class of the typed parsers.
 *
 * @module
 */

/**
 * Thrown by the typed parsers (`parseFetch`, `parseList`, ...) when server data cannot be read
 * even with every tolerance they know: a missing `)`, a `{N}` with no literal after it, a number
 * where none is, nesting deeper than 100 lists. Where a server quirk leaves the meaning clear the
 * parsers tolerate it instead (each quirk is named in the parser that tolerates it).
 *
 * A `SyntaxError`, as Deno std's parsers throw, with the position that failed: `offset` counts
 * bytes from the start of the response as it was on the wire, literals included (the header of a
 * `[header, literal]` pair, then the literal, then the next text). `response` is the index of the
 * response within the data given (0 for the first).
 *
 * @example Catching malformed server data
 * ```ts
 * import { expandSequenceSet, TypedParseError } from "@imaplib/imaplib";
 * try {
 *   expandSequenceSet("1:3,x");
 * } catch (e) {
 *   console.assert(e instanceof TypedParseError && e.offset === 4);
 * }
 * ```
 */
export class TypedParseError extends SyntaxError {
  /** Byte offset of the failure within the response (literals counted). */
  readonly offset: number;
  /** Index of the failing response within the data given (0-based). */
  response: number;

  /**
   * Makes the error.
   * @param message What was expected and what was found, e.g. `expected ")" at offset 8`.
   * @param offset Byte offset within the response.
   * @param response Index of the response within the data given.
   */
  constructor(message: string, offset: number, response = 0) {
    super(message);
    this.name = "TypedParseError";
    this.offset = offset;
    this.response = response;
  }
}
