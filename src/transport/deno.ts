/**
 * Deno transports: `Deno.connect`, `Deno.connectTls` and `Deno.startTls`.
 *
 * Loaded lazily by `IMAP4.open()` so that importing the library needs no Deno global.
 *
 * @module
 */

import { untilAborted } from "./abortable.ts";
import { errorMessage, IMAP4TlsError } from "../errors.ts";
import type { OpenOptions, TlsOptions, Transport } from "./transport.ts";

const DEFAULT_READ_BYTES = 64 * 1024;

/**
 * `conn.read()` as a byte stream that reads only when pulled (no read-ahead of its own, so
 * STARTTLS can stop at a response boundary): the transport's `readable`, for users other than
 * the session (which calls `read()`), and the bench's `deno-floor-byob`. A BYOB reader reads
 * straight into its own, reusable buffer; a default reader gets fresh 64 KiB chunks.
 */
export function readableOf(conn: Deno.Conn): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: DEFAULT_READ_BYTES,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view as Uint8Array;
      const n = await conn.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      if (n === null) {
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(n);
    },
  }, { highWaterMark: 0 }) as ReadableStream<Uint8Array>;
}

// The streams are made only when asked for: the session reads and writes through `read()` and
// `write()`. A byte stream over `conn.read()` made the raw socket 1.04-1.08x slower on workloads
// (a) and (b) and 1.20-1.30x on (c), and the streams and their writer took ~30 KiB of each idle
// connection's 100-107 KiB (67-77 KiB without them; bench/RESULTS.md, 2026-12-06).
class DenoTransport implements Transport {
  readonly #conn: Deno.Conn;
  #readable: ReadableStream<Uint8Array> | null = null;
  #closed = false;
  // While a STARTTLS upgrade runs, closing this transport closes the connection it became.
  #upgrading: DenoTransport | null = null;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= readableOf(this.#conn);
  }

  get writable(): WritableStream<Uint8Array> {
    return this.#conn.writable;
  }

  read(view: Uint8Array): Promise<number | null> {
    return this.#conn.read(view);
  }

  async write(bytes: Uint8Array): Promise<void> {
    // conn.write() may write less than asked (a full socket buffer).
    for (let at = 0; at < bytes.length;) {
      at += await this.#conn.write(at === 0 ? bytes : bytes.subarray(at));
    }
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
  const detail = errorMessage(error);
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
