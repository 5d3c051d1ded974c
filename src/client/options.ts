/**
 * The options of a connection: timeouts, TLS, limits, the clock.
 *
 * @module
 */

import type { Clock } from "../session/clock.ts";
import type { TlsOptions } from "../transport/transport.ts";

/** Options of `IMAP4.connect()`, `IMAP4_SSL.connect()` and `IMAP4.fromTransport()`. */
export interface ConnectOptions {
  /**
   * Seconds that connecting, and then every single wait for the server (a read, a write, a TLS
   * handshake), may take; imaplib's `timeout`. Waiting for IDLE notifications is bounded by the
   * idle `duration`/`signal` instead. A timeout closes the connection and throws
   * {@linkcode IMAP4TimeoutError}. No limit if undefined.
   */
  timeout?: number;
  /** Aborting it closes the connection; pending and later commands throw `IMAP4TimeoutError`. */
  signal?: AbortSignal;
  /** TLS settings for IMAP4_SSL and STARTTLS; certificates are always verified. */
  tls?: TlsOptions;
  /**
   * Require STARTTLS during connection: after the greeting, `starttls(tls)` runs before
   * `connect()` returns, and a PREAUTH greeting is refused (it would skip TLS).
   * @default {false}
   */
  starttls?: boolean;
  /** Max bytes of one response line, CRLF included. @default {8_388_608} */
  maxLineBytes?: number;
  /** Max bytes of one literal. @default {134_217_728} */
  maxLiteralBytes?: number;
  /** Max bytes of one whole response, lines and literals together. @default {268_435_456} */
  maxResponseBytes?: number;
  /**
   * Max bytes of response data held at once for the caller: what a command collects before its
   * tagged reply plus unsolicited responses not yet taken with `response()`, and the queue of
   * an IDLE not iterated. Exceeding it closes the connection with `IMAP4LimitError`; raise it
   * for very large buffered FETCHes. @default {268_435_456}
   */
  maxStoredBytes?: number;
  /**
   * The time source of every deadline and timer of the connection; inject a fake one to test
   * long IDLE scenarios quickly. @default {systemClock}
   */
  clock?: Clock;
}
