/**
 * The error classes of the library.
 *
 * imaplib's three classes keep their meaning: {@linkcode IMAP4Error} (`IMAP4.error`) is a
 * logical error (a refused command, a command in the wrong state, a bad argument),
 * {@linkcode IMAP4Abort} (`IMAP4.abort`) means the connection is no longer usable and has been
 * closed, {@linkcode IMAP4Readonly} (`IMAP4.readonly`) means the selected mailbox became
 * read-only. The finer classes below are subclasses of one of them, so `instanceof IMAP4.error`
 * still catches everything this library throws.
 *
 * Messages never carry credentials.
 *
 * @module
 */

/**
 * imaplib's `IMAP4.error`: a logical error. The connection stays usable.
 *
 * @example Catching every error of the library
 * ```ts
 * import { IMAP4Error } from "@imaplib/imaplib";
 * try {
 *   throw new IMAP4Error("command SEARCH illegal in state AUTH");
 * } catch (e) {
 *   if (!(e instanceof IMAP4Error)) throw e;
 * }
 * ```
 */
export class IMAP4Error extends Error {
  /**
   * Makes the error.
   * @param message What went wrong.
   * @param options `cause`: the underlying error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * imaplib's `IMAP4.abort`: the connection is unusable and has been closed; reconnect to retry.
 *
 * @example
 * ```ts
 * import { IMAP4Abort, IMAP4Error } from "@imaplib/imaplib";
 * console.assert(new IMAP4Abort("socket error: EOF") instanceof IMAP4Error);
 * ```
 */
export class IMAP4Abort extends IMAP4Error {}

/**
 * imaplib's `IMAP4.readonly`: the selected mailbox changed to READ-ONLY; re-select and retry.
 * Unlike the other subclasses of {@linkcode IMAP4Abort}, it does not close the connection.
 *
 * @example
 * ```ts
 * import { IMAP4Abort, IMAP4Readonly } from "@imaplib/imaplib";
 * console.assert(new IMAP4Readonly("INBOX is not writable") instanceof IMAP4Abort);
 * ```
 */
export class IMAP4Readonly extends IMAP4Abort {}

/**
 * The server's bytes break the protocol's framing or grammar (a bare LF line ending, a
 * malformed literal marker, a response that is none of tagged, untagged or continuation).
 * Connection-fatal: a subclass of {@linkcode IMAP4Abort}.
 *
 * @example
 * ```ts
 * import { IMAP4ProtocolError } from "@imaplib/imaplib";
 * const e = new IMAP4ProtocolError("bare LF line ending", 12);
 * console.assert(e.offset === 12);
 * ```
 */
export class IMAP4ProtocolError extends IMAP4Abort {
  /** Byte offset in the input stream where the problem was found, or -1 if not known. */
  readonly offset: number;
  /**
   * Makes the error; the offset, when known, is appended to the message.
   * @param message What is wrong.
   * @param offset Byte offset in the stream, -1 if unknown.
   * @param options `cause`: the underlying error, if any.
   */
  constructor(message: string, offset = -1, options?: ErrorOptions) {
    super(offset >= 0 ? `${message} at offset ${offset}` : message, options);
    this.offset = offset;
  }
}

/**
 * A response line or literal is larger than the configured limit (`maxLineBytes`,
 * `maxLiteralBytes`). Raised before the oversized data is buffered. Connection-fatal.
 *
 * @example
 * ```ts
 * import { IMAP4LimitError } from "@imaplib/imaplib";
 * const e = new IMAP4LimitError("maxLiteralBytes", 1024, 99999999999);
 * console.assert(e.limitBytes === 1024);
 * ```
 */
export class IMAP4LimitError extends IMAP4Abort {
  /** The name of the option whose limit was exceeded, e.g. `maxLineBytes`. */
  readonly limitName: string;
  /** The limit in bytes. */
  readonly limitBytes: number;
  /** The size in bytes that was seen or announced (at least `limitBytes + 1`). */
  readonly sizeBytes: number;
  /**
   * Makes the error, with a message naming the limit and both sizes.
   * @param limitName The option name, e.g. `maxLineBytes`.
   * @param limitBytes The limit.
   * @param sizeBytes The size seen or announced.
   */
  constructor(limitName: string, limitBytes: number, sizeBytes: number) {
    // CPython's words first ("got more than N bytes", which its tests match), then ours.
    super(
      `got more than ${limitBytes} bytes: ${limitName} exceeded: ${sizeBytes} bytes, ` +
        `limit ${limitBytes}`,
    );
    this.limitName = limitName;
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }
}

/**
 * A wait (connecting, a command's responses) outlasted its `timeout`, or its `AbortSignal`
 * fired. The connection has been closed, because a late reply could otherwise complete the
 * wrong command. `cause` holds the signal's reason when a signal ended the wait.
 *
 * @example
 * ```ts
 * import { IMAP4TimeoutError } from "@imaplib/imaplib";
 * console.assert(new IMAP4TimeoutError("no greeting within 10 s").name === "IMAP4TimeoutError");
 * ```
 */
export class IMAP4TimeoutError extends IMAP4Abort {}

/**
 * The transport failed: connection refused or reset, DNS failure, end of stream, a write that
 * could not be completed. `cause` keeps the runtime's own error. Connection-fatal.
 *
 * @example
 * ```ts
 * import { IMAP4ConnectionError } from "@imaplib/imaplib";
 * const e = new IMAP4ConnectionError("socket error: EOF");
 * console.assert(e.message === "socket error: EOF");
 * ```
 */
export class IMAP4ConnectionError extends IMAP4Abort {}

/**
 * TLS could not be established or is not trustworthy: certificate or host name rejected,
 * handshake failure, STARTTLS refused or missing from the capabilities, bytes injected in clear
 * after the STARTTLS reply, PREAUTH where STARTTLS was required. Connection-fatal: nothing is
 * sent in clear after it.
 *
 * @example
 * ```ts
 * import { IMAP4TlsError } from "@imaplib/imaplib";
 * console.assert(new IMAP4TlsError("TLS not supported by server").name === "IMAP4TlsError");
 * ```
 */
export class IMAP4TlsError extends IMAP4Abort {}

/**
 * A command argument cannot be sent safely: it contains NUL, CR or LF (which would let it end
 * the command line and inject another command; CVE-2025-15366), or it is of the wrong type.
 * Thrown before anything is written; the connection stays usable.
 *
 * @example
 * ```ts
 * import { IMAP4ArgumentError, IMAP4Error } from "@imaplib/imaplib";
 * console.assert(new IMAP4ArgumentError("CR in argument") instanceof IMAP4Error);
 * ```
 */
export class IMAP4ArgumentError extends IMAP4Error {}

/**
 * An `AbortSignal` given to a command (`M.fetch(set, items, { signal })`) or to a typed method
 * fired. `cause` is the signal's `reason`. The connection is usable: a subclass of
 * {@linkcode IMAP4Error}, not of `IMAP4Abort`.
 *
 * - Aborted before the command was written (still queued behind others): it is removed from the
 *   queue, nothing is sent.
 * - Aborted while the command is in flight: it is never cut off (the connection would be out of
 *   step). It runs to its tagged reply, its result is discarded, then this is thrown. If no
 *   reply comes within `cancelGraceSeconds` of the abort, the connection is closed instead and
 *   `IMAP4TimeoutError` is thrown.
 * - Typed methods check the signal before each command they send and again when it completes;
 *   a command that completed before the signal fired did take effect (e.g. a STORE; for
 *   `moveMessages()`'s fallback, the steps before the abort). `fetchMessages()` and the
 *   streaming FETCH methods check it as each response arrives: aborted, they read and drop the
 *   rest of the FETCH, then throw.
 *
 * @example The signal's reason as cause
 * ```ts
 * import { IMAP4CancelledError, IMAP4Error } from "@imaplib/imaplib";
 * const e = new IMAP4CancelledError("searchMessages()", new DOMException("stop", "AbortError"));
 * console.assert(e instanceof IMAP4Error && (e.cause as Error).name === "AbortError");
 * ```
 */
export class IMAP4CancelledError extends IMAP4Error {
  /**
   * Makes the error.
   * @param method The command or typed method, e.g. `"FETCH"`, `"searchMessages()"`.
   * @param reason The signal's `reason`, kept as `cause`.
   */
  constructor(method: string, reason: unknown) {
    super(
      `${method} cancelled: ${reason instanceof Error ? reason.message : String(reason)}`,
      { cause: reason },
    );
  }
}

/** @internal The text of any thrown value, for messages (`Error.message`, else `String()`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
