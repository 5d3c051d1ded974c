/**
 * Deno transports: `Deno.connect`, `Deno.connectTls` and `Deno.startTls`.
 *
 * Loaded lazily by `IMAP4.open()` so that importing the library needs no Deno global.
 *
 * @module
 */

import { untilAborted } from "./abortable.ts";
import { IMAP4TlsError } from "./errors.ts";
import type { OpenOptions, TlsOptions, Transport } from "./transport.ts";

class DenoTransport implements Transport {
  readonly #conn: Deno.Conn;
  #closed = false;
  // While a STARTTLS upgrade runs, closing this transport closes the connection it became.
  #upgrading: DenoTransport | null = null;

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
    this.#upgrading?.close();
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
    this.#upgrading = transport;
    try {
      await tls.handshake();
    } catch (error) {
      transport.close();
      throw tlsError(error, options.hostname);
    } finally {
      this.#upgrading = null;
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

const close = (conn: Deno.Conn) => conn.close();

function tlsError(error: unknown, hostname: string): IMAP4TlsError {
  const detail = error instanceof Error ? error.message : String(error);
  return new IMAP4TlsError(`TLS handshake with ${hostname} failed: ${detail}`, { cause: error });
}

/**
 * Opens a TCP or TLS connection with Deno's APIs; TLS is verified against `options.tls`.
 * When `tls.hostname` names the certificate differently from the address connected to, the
 * TCP connection is made first and upgraded with `Deno.startTls`, whose `hostname` is only the
 * name to verify (`Deno.connectTls` would also resolve and connect to it).
 */
export async function openDeno(options: OpenOptions): Promise<Transport> {
  const { hostname, port, tls } = options;
  if (tls && tls.hostname !== undefined && tls.hostname !== hostname) {
    const tcp = new DenoTransport(
      await untilAborted(Deno.connect({ hostname, port }), options.signal, close),
    );
    return await tcp.startTls({ ...tls, hostname: tls.hostname });
  }
  let pending: Promise<Deno.Conn>;
  if (tls) {
    pending = Deno.connectTls({ ...denoTlsOptions({ ...tls, hostname }), port })
      .then(async (conn) => {
        try {
          await conn.handshake();
          return conn;
        } catch (error) {
          conn.close();
          throw tlsError(error, hostname);
        }
      });
  } else {
    pending = Deno.connect({ hostname, port });
  }
  const conn = await untilAborted(pending, options.signal, close);
  return new DenoTransport(conn);
}

/** How a child process's stderr is handled by {@linkcode spawnDeno}. */
export type StderrMode = "inherit" | "null";

/**
 * Runs `command` through `/bin/sh -c` (imaplib's `subprocess.Popen(command, shell=True)`) with
 * piped stdin and stdout as the transport. Closing it closes stdin and waits for the process to
 * exit (imaplib's `shutdown()`), killing it if it has not exited after `graceMs`.
 */
export function spawnDeno(command: string, stderr: StderrMode, graceMs = 2000): Transport {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr,
  }).spawn();
  let closing: Promise<void> | null = null;
  return {
    readable: child.stdout,
    writable: child.stdin,
    close(): Promise<void> {
      closing ??= (async () => {
        const timer = setTimeout(() => {
          try {
            child.kill("SIGTERM");
          } catch {
            // already exited
          }
        }, graceMs);
        try {
          await child.stdin.close().catch(() => {});
          await child.stdout.cancel().catch(() => {});
          await child.status;
        } finally {
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}
