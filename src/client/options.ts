/**
 * The options of `IMAP4.connect()`: the session's settings (see `SessionOptions`) plus TLS.
 *
 * @module
 */

import type { SessionOptions } from "../session/options.ts";
import type { TlsOptions } from "../transport/transport.ts";

/** Options of `IMAP4.connect()`, `IMAP4_SSL.connect()` and `IMAP4.fromTransport()`. */
export interface ConnectOptions extends SessionOptions {
  /** TLS settings for IMAP4_SSL and STARTTLS; certificates are always verified. */
  tls?: TlsOptions;
  /**
   * Require STARTTLS during connection: after the greeting, `starttls(tls)` runs before
   * `connect()` returns, and a PREAUTH greeting is refused (it would skip TLS).
   * @default {false}
   */
  starttls?: boolean;
}
