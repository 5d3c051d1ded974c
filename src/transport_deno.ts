/**
 * Deno transports: `Deno.connect`, `Deno.connectTls` and `Deno.startTls`.
 *
 * Loaded lazily by `IMAP4.open()` so that importing the library needs no Deno global.
 *
 * @module
 */

import { IMAP4TlsError } from "./errors.ts";
import type { OpenOptions, TlsOptions, Transport } from "./transport.ts";

class DenoTransport implements Transport {
  readonly #conn: Deno.Conn;
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.#conn.readable;
  }

  get writable(): WritableStream<Uint8Array> {
    return this.#conn.writable;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or by a stream cancel.
    }
  }

  async startTls(options: TlsOptions & { hostname: string }): Promise<Transport> {
    // Deno.startTls consumes the TCP connection; it assumes 127.0.0.1 without a hostname, so
    // the real host name is always passed.
    this.#closed = true;
    const tls = await Deno.startTls(this.#conn as Deno.TcpConn, denoTlsOptions(options));
    const transport = new DenoTransport(tls);
    try {
      await tls.handshake();
    } catch (error) {
      transport.close();
      throw tlsError(error, options.hostname);
    }
    return transport;
  }
}

function denoTlsOptions(options: TlsOptions & { hostname: string }): Deno.StartTlsOptions {
  return {
    hostname: options.hostname,
    caCerts: options.caCerts,
    unsafelyDisableHostnameVerification: options.unsafelyDisableHostnameVerification ?? false,
  };
}

function tlsError(error: unknown, hostname: string): IMAP4TlsError {
  const detail = error instanceof Error ? error.message : String(error);
  return new IMAP4TlsError(`TLS handshake with ${hostname} failed: ${detail}`, { cause: error });
}

/** Opens a TCP or TLS connection with Deno's APIs; TLS is verified against `options.tls`. */
export async function openDeno(options: OpenOptions): Promise<Transport> {
  const { hostname, port, tls } = options;
  let pending: Promise<Deno.Conn>;
  if (tls) {
    pending = Deno.connectTls({
      ...denoTlsOptions({ ...tls, hostname: tls.hostname ?? hostname }),
      port,
    })
      .then(async (conn) => {
        try {
          await conn.handshake();
          return conn;
        } catch (error) {
          conn.close();
          throw tlsError(error, tls.hostname ?? hostname);
        }
      });
  } else {
    pending = Deno.connect({ hostname, port });
  }
  const conn = await abortable(pending, options.signal);
  return new DenoTransport(conn);
}

// Deno.connect takes no signal: race it, and close a connection that arrives too late.
function abortable(pending: Promise<Deno.Conn>, signal?: AbortSignal): Promise<Deno.Conn> {
  if (!signal) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then((conn) => conn.close(), () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (conn) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) conn.close();
        else resolve(conn);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
