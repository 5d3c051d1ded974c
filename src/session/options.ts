/**
 * The connection-wide settings of a session: limits, timeouts, cancellation, the clock. Every
 * option of a connection is declared once, in this hierarchy: `DecoderOptions` (byte limits of
 * one response) < `SessionOptions` (this) < `ConnectOptions` (TLS) < `StreamOptions`.
 *
 * @module
 */

import type { DecoderOptions } from "../wire/decoder.ts";
import type { Clock } from "./clock.ts";

/** Settings of one connection's session (limits, timeouts, cancellation, the clock). */
export interface SessionOptions extends DecoderOptions {
  /**
   * Seconds that connecting, and then every single wait for the server (a read, a write, a TLS
   * handshake), may take; imaplib's `timeout`. Waiting for IDLE notifications is bounded by the
   * idle `duration`/`signal` instead. A timeout closes the connection and throws
   * {@linkcode IMAP4TimeoutError}. No limit if undefined.
   * @throws {RangeError} at construction if not a positive number.
   */
  timeout?: number;
  /**
   * Aborting it closes the connection (or abandons connecting); pending and later commands
   * throw {@linkcode IMAP4TimeoutError} with the signal's reason as `cause`.
   */
  signal?: AbortSignal;
  /**
   * Max bytes of response data held at once for the caller: what a command collects before its
   * tagged reply plus unsolicited responses not yet taken with `response()`, and the queue of
   * an IDLE not iterated. Exceeding it closes the connection with `IMAP4LimitError`; raise it
   * for very large buffered FETCHes.
   * @default {268_435_456}
   */
  maxStoredBytes?: number;
  /**
   * The time source of every deadline and timer of the connection (connecting, reads, writes,
   * IDLE keep-alive and watchdog); inject a fake one to test long IDLE scenarios quickly.
   * @default {systemClock}
   */
  clock?: Clock;
}
