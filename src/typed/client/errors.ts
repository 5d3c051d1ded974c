/**
 * The errors of the typed methods, and how they run one imaplib command: the `AbortSignal`
 * checked before and after it, NO and BAD turned into {@linkcode IMAP4CommandError}.
 *
 * @module
 */

import { IMAP4CancelledError, IMAP4Error } from "../../errors.ts";

export { IMAP4CancelledError };
import type { Result } from "../../session/session.ts";
import type { CommandOptions } from "../../session/options.ts";
import { parseResponseCodeTyped, type TypedResponseCode } from "../response_code.ts";
import { utf8Text } from "../text.ts";

/**
 * The server refused a command of a typed method: it answered `NO` or `BAD` (RFC 3501 section
 * 7.1). Where imaplib's methods return `["NO", [text]]` (and throw on BAD with a Python repr in
 * the message), the typed methods throw this, with the status and the response code read.
 *
 * A subclass of {@linkcode IMAP4Error} (`IMAP4.error`): the connection stays usable.
 *
 * @example Telling a missing mailbox from other refusals
 * ```ts
 * import { IMAP4CommandError, IMAP4Error } from "@imaplib/imaplib";
 * const e = new IMAP4CommandError("SELECT", "NO", "[NONEXISTENT] Mailbox doesn't exist: Nope");
 * console.assert(e instanceof IMAP4Error && e.status === "NO");
 * console.assert(e.code?.code === "NONEXISTENT" && e.code.text === "Mailbox doesn't exist: Nope");
 * console.assert(e.message === "SELECT failed: NO [NONEXISTENT] Mailbox doesn't exist: Nope");
 * ```
 */
export class IMAP4CommandError extends IMAP4Error {
  /** The command as sent, without its arguments: `"SELECT"`, `"UID MOVE"`, `"APPEND"`. */
  readonly command: string;
  /** The server's status: `"NO"` (refused) or `"BAD"` (not understood, or not allowed now). */
  readonly status: "NO" | "BAD";
  /** The text of the tagged reply after the status, response code included, as sent. */
  readonly responseText: string;
  /**
   * The response code, read (`TRYCREATE`, `NONEXISTENT`, `ALREADYEXISTS`, `OVERQUOTA`,
   * `CANNOT`...); absent when the reply had none. See `TypedResponseCode`.
   */
  declare readonly code?: TypedResponseCode;

  /**
   * Makes the error; the message is `"<command> failed: <status> <responseText>"`.
   * @param command The command, e.g. `"UID COPY"`.
   * @param status `"NO"` or `"BAD"`.
   * @param responseText The reply's text after the status.
   * @param options `cause`: the underlying error, if any.
   */
  constructor(
    command: string,
    status: "NO" | "BAD",
    responseText: string,
    options?: ErrorOptions,
  ) {
    super(`${command} failed: ${status} ${responseText}`, options);
    this.command = command;
    this.status = status;
    this.responseText = responseText;
    const code = parseResponseCodeTyped(responseText);
    if (code) this.code = code;
  }
}

/** @internal Throws {@linkcode IMAP4CancelledError} if `signal` has fired. */
export function checkSignal(signal: AbortSignal | undefined, method: string): void {
  if (signal?.aborted) throw new IMAP4CancelledError(method, signal.reason);
}

// Python's repr of bytes (`b'...'` / `b"..."`), which imaplib puts in its BAD messages, back to
// the text it shows.
function unrepr(body: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    let c = body.charCodeAt(i);
    if (c === 0x5c) {
      const e = body[++i];
      if (e === "x") {
        c = parseInt(body.slice(i + 1, i + 3), 16);
        i += 2;
      } else {
        c = ({ t: 9, n: 10, r: 13 } as Record<string, number>)[e] ?? e.charCodeAt(0);
      }
    }
    bytes.push(c);
  }
  return utf8Text(new Uint8Array(bytes));
}

// imaplib's BAD (`NAME command error: BAD [b'...']`) and fetchIter's NO/BAD (`NAME failed: NO
// [b'...']`), possibly behind `command: NAME => `.
const REFUSED =
  /^(?:command: \S+ => )?(\S+) (?:command error|failed): (NO|BAD) \[b(['"])(.*)\3\]$/s;

/**
 * @internal The error the typed method `method` throws for `error`, thrown by an imaplib method
 * running `command`: a BAD (or a NO from a FETCH stream) becomes an
 * {@linkcode IMAP4CommandError}, a cancellation names `method`; others are kept.
 */
export function typedError(error: unknown, command: string, method: string): unknown {
  if (error instanceof IMAP4CancelledError) return new IMAP4CancelledError(method, error.cause);
  if (error?.constructor !== IMAP4Error) return error;
  const match = REFUSED.exec((error as IMAP4Error).message);
  if (!match) return error;
  return new IMAP4CommandError(command, match[2] as "NO" | "BAD", unrepr(match[4]), {
    cause: error,
  });
}

/**
 * @internal Runs one imaplib command for a typed method, passing it `{ signal }` (see
 * `CommandOptions`: dropped unsent while queued; in flight, its reply awaited and discarded, or
 * the connection closed past `cancelGraceSeconds`); checks `signal` before and after, and turns
 * a NO result or a BAD error into an {@linkcode IMAP4CommandError} naming `command`. A
 * cancellation names the typed method.
 */
export async function run(
  signal: AbortSignal | undefined,
  method: string,
  command: string,
  call: (options: CommandOptions) => Promise<Result>,
): Promise<Result> {
  checkSignal(signal, method);
  let result: Result;
  try {
    result = await call({ signal });
  } catch (error) {
    throw typedError(error, command, method);
  }
  checkSignal(signal, method);
  const [type, data] = result;
  if (type === "NO" || type === "BAD") {
    const last = data[data.length - 1];
    const text = last instanceof Uint8Array ? last : Array.isArray(last) ? last[0] : null;
    throw new IMAP4CommandError(command, type, text ? utf8Text(text) : "");
  }
  return result;
}
