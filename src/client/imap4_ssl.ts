/**
 * imaplib's `IMAP4_SSL`: IMAP over implicit TLS.
 *
 * @module
 */

import type { ConnectOptions } from "./options.ts";
import { IMAP4, IMAP4_SSL_PORT } from "./imap4.ts";
import { openTransport } from "../transport/open.ts";
import type { Clock } from "../session/clock.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";

/**
 * An IMAP4 client over implicit TLS (imaplib's `IMAP4_SSL`), port 993 by default. The
 * certificate and host name are verified (against `options.tls.caCerts` in addition to the
 * runtime's roots).
 *
 * @example
 * ```ts ignore
 * import { IMAP4_SSL } from "@imaplib/imaplib";
 * await using M = await IMAP4_SSL.connect("imap.example.org");
 * ```
 */
export class IMAP4_SSL extends IMAP4 {
  readonly #tls: TlsOptions;
  readonly #signal: AbortSignal | undefined;
  readonly #clock: Clock | undefined;

  /**
   * Makes an unconnected client; use {@linkcode IMAP4_SSL.connect} instead.
   * @param options See {@linkcode ConnectOptions}; `tls` configures the TLS connection.
   * @throws {TypeError} if `options.starttls` is set (implicit TLS needs no STARTTLS).
   */
  constructor(options: ConnectOptions = {}) {
    if (options.starttls) {
      throw new TypeError("IMAP4_SSL uses implicit TLS; the starttls option does not apply");
    }
    super(options);
    this.#tls = options.tls ?? {};
    this.#signal = options.signal;
    this.#clock = options.clock;
  }

  /**
   * Connects to `host:port` over TLS; see {@linkcode IMAP4.connect}.
   * @param port Default: `993`.
   */
  static override connect<T extends IMAP4>(
    this: new (options?: ConnectOptions) => T,
    host?: string,
    port?: number,
    options?: ConnectOptions,
  ): Promise<T> {
    return IMAP4.connect.call(this, host, port ?? IMAP4_SSL_PORT, options) as Promise<T>;
  }

  /**
   * Opens a TLS connection (imaplib's `IMAP4_SSL.open`).
   * @throws {IMAP4TlsError} if the handshake or certificate verification fails.
   */
  override open(host?: string, port?: number, timeout?: number): Promise<Transport> {
    host ??= "";
    port ??= IMAP4_SSL_PORT;
    return openTransport(
      { hostname: host || "localhost", port, tls: this.#tls },
      timeout,
      this.#signal,
      this.#clock,
    );
  }
}
