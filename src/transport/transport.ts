/**
 * The transport contract: a pair of Web Streams plus close and, optionally, a TLS upgrade.
 *
 * Runtime transports (Deno, and later Bun and Node) live in their own files and are loaded
 * lazily, so importing the library touches no runtime-specific global.
 *
 * @module
 */

/** TLS settings for IMAP4_SSL, `starttls()` and `connect(..., { starttls: true })`. */
export interface TlsOptions {
  /**
   * Extra trusted root certificates in PEM format (e.g. a private CA), used in addition to the
   * runtime's default roots: the text of each certificate (`-----BEGIN CERTIFICATE-----...`),
   * not a file name (read the file first, e.g. `await Deno.readTextFile(path)`).
   * @throws {TypeError} when the client is made or `starttls()` called, for an entry that is
   *   not PEM text.
   */
  caCerts?: string[];
  /**
   * The name the server certificate must match. Defaults to the host passed to `connect()`.
   */
  hostname?: string;
  /**
   * UNSAFE: accept a certificate whose names do not match `hostname`. The chain is still
   * verified. Only for known servers reached by address.
   * @default {false}
   */
  unsafelyDisableHostnameVerification?: boolean;
}

/**
 * Everything the library needs from a connection: bytes in, bytes out, close.
 *
 * `readable` yields the server's bytes; chunks must not be modified after they are enqueued.
 * `writable` takes the client's bytes. `close()` releases the connection; it must not throw
 * if the connection is already closed. `startTls` (optional) upgrades the connection in place:
 * it is called only when no read or write is pending and both streams are unlocked, and returns
 * the transport to use from then on. `read`, `readChunk` and `write` (optional) are direct paths
 * the library prefers to the streams.
 *
 * @example A transport over an existing stream pair
 * ```ts
 * import type { Transport } from "@imaplib/imaplib";
 * function fromPair(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>): Transport {
 *   return { readable, writable, close: () => {} };
 * }
 * ```
 */
export interface Transport {
  /** The server's bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The client's bytes. */
  readonly writable: WritableStream<Uint8Array>;
  /** Closes the connection; safe to call more than once. */
  close(): void | Promise<void>;
  /** Upgrades to TLS, verifying the server's certificate; see {@linkcode TlsOptions}. */
  startTls?(options: TlsOptions & { hostname: string }): Promise<Transport>;
  /**
   * Optional direct read, used instead of `readable` when present (the library's own Deno and
   * Node/Bun transports have it: on Deno a byte stream over `conn.read()` made the raw socket
   * 1.04-1.30x slower, and the streams cost ~30 KiB per idle connection; bench/RESULTS.md,
   * 2026-12-06). Reads the next bytes into `view` and resolves to how many arrived (at least 1
   * for a non-empty `view`), or `null` at the end of the stream. The library calls it one read
   * at a time, and never once it reads `readable` (COMPRESS=DEFLATE wraps the streams and reads
   * through them from then on); it may reuse `view`'s memory once the bytes are consumed.
   * `close()` must end a read in flight (with `null` or an error): the library does not wait
   * for it.
   * @throws when the connection fails (the library then closes the transport).
   * @example `read: (view) => conn.read(view)` for a `Deno.Conn`
   */
  read?(view: Uint8Array): Promise<number | null>;
  /**
   * Optional direct read of the next bytes in a buffer the transport never touches again,
   * preferred to `read()` for the library's ordinary reads when present: a transport that
   * receives into a fresh buffer anyway (a Node or Bun socket makes one per `'data'` event) is
   * then decoded from that buffer, not first copied into one of the library's (the Node/Bun
   * transport has it: one copy fewer per byte, 12% of a streaming FETCH of 5 MB messages on
   * Bun; bench/RESULTS.md, 2026-12-06). The library may keep views of a chunk: a literal over
   * 4 KiB that lies whole in one is handed over as a view of it. `read()`, if
   * present too, still reads a streamed body straight into its consumer's buffer. Resolves to a
   * non-empty chunk, or `null` at the end of the stream; the same rules as `read()` otherwise
   * (one read at a time, counting `read()`s; `close()` ends one in flight).
   * @throws when the connection fails (the library then closes the transport).
   * @example `readChunk: () => queue.next()` over a queue of received buffers
   */
  readChunk?(): Promise<Uint8Array | null>;
  /**
   * Optional direct write, used instead of `writable` when present. Resolves once all of
   * `bytes` is written; the library calls it one write at a time.
   * @throws when the connection fails (the library then closes the transport).
   */
  write?(bytes: Uint8Array): Promise<void>;
}

/** Where and how to open a network transport. */
export interface OpenOptions {
  /** Host name or address. */
  hostname: string;
  /** TCP port. */
  port: number;
  /** Implicit TLS (IMAPS) when set. */
  tls?: TlsOptions;
  /**
   * STARTTLS will follow: pick a transport that can close its socket when an upgrade is
   * abandoned (on Deno, its Node API). @default {false}
   */
  upgradable?: boolean;
  /** Aborts the connection attempt. */
  signal?: AbortSignal;
}

/**
 * Checks `tls` before anything connects.
 * @throws {TypeError} if a `caCerts` entry is not PEM text (with a hint when it is a path).
 */
export function checkTlsOptions(tls: TlsOptions | undefined): void {
  for (const [i, pem] of (tls?.caCerts ?? []).entries()) {
    if (typeof pem === "string" && pem.includes("-----BEGIN ")) continue;
    const path = typeof pem === "string" && !/\s/.test(pem.trim()) && /[/\\.]/.test(pem);
    throw new TypeError(
      `tls.caCerts[${i}] is not PEM text` +
        (path
          ? ` but looks like a file name (${JSON.stringify(pem)}): caCerts takes the ` +
            "certificate itself; read the file first, e.g. await Deno.readTextFile(path)"
          : ": expected '-----BEGIN CERTIFICATE-----...'"),
    );
  }
}
