/**
 * Transports on the Node API (`node:net`, `node:tls`), used on Bun and Node: a socket adapted to
 * a `ReadableStream<Uint8Array>` / `WritableStream<Uint8Array>` pair with backpressure both
 * ways, and STARTTLS through `tls.connect({ socket })`.
 *
 * Loaded lazily by the runtime selection, so that importing the library loads no `node:` module.
 *
 * @module
 */

import type * as net from "node:net";
import type * as tls from "node:tls";
import { untilAborted } from "./abortable.ts";
import { IMAP4TlsError } from "../errors.ts";
import type { OpenOptions, TlsOptions, Transport } from "./transport.ts";

// A chunk this large means bulk traffic (a socket under load delivers 64-512 KiB at a time):
// the socket then pauses after it even when a reader is waiting (see onData). Smaller ones, the
// replies and notifications of an idle or interactive connection, pause it only when no reader
// waits: pausing after each of those too left ~10 KiB more in the RSS of each idle connection
// on Bun (190 connections in IDLE: 45-47 KiB each against 35-37; bench/RESULTS.md).
const BULK_CHUNK_BYTES = 4 * 1024;
const netModule = (): Promise<typeof net> => import("node:net");
const tlsModule = (): Promise<typeof tls> => import("node:tls");

// The session reads and writes through `read()` and `write()`; the streams are made only when
// asked for (each stream and its reader or writer are objects an idle connection would keep).
class NodeTransport implements Transport {
  readonly #socket: net.Socket;
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;
  // Chunks the socket delivered that no reader has taken yet; the socket is paused as soon as
  // one is queued (see onData), so the kernel's buffer, not ours, holds what the client does
  // not read. `#rest` is what a read() left of the chunk it took.
  readonly #queue: Uint8Array[] = [];
  #rest: Uint8Array | null = null;
  // Bytes delivered and not yet handed to the library (for the STARTTLS check).
  #queuedBytes = 0;
  #ended = false;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #closed = false;
  #upgrading: tls.TLSSocket | null = null;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    const notify = () => {
      const w = this.#wake;
      this.#wake = null;
      w?.();
    };
    const onData = (chunk: Uint8Array) => {
      this.#queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#queuedBytes += chunk.byteLength;
      // Under bulk traffic the socket reads a chunk when a reader asks for one (#next resumes
      // it) and pauses once the chunk is here; otherwise it pauses when a chunk finds no reader.
      // Bun's loop reads a flowing socket back to back while bytes keep arriving (512 KiB a
      // read, ~1.7 ms each into fresh memory, ~3.5 ms over TLS) and runs no timer or
      // setImmediate callback in between: with 1 MiB allowed ahead, the connection's yields
      // (time_slices.ts) waited behind 2-4 such reads and a 5 ms application timer saw gaps of
      // 17-33 ms during a bulk FETCH (bench/RESULTS.md, eleventh session).
      if (this.#wake === null || chunk.byteLength >= BULK_CHUNK_BYTES) socket.pause();
      notify();
    };
    const onEnd = () => {
      this.#ended = true;
      notify();
    };
    const onError = (error: Error) => {
      this.#failure = error;
      notify();
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onError);
    socket.pause();
    this.#detach = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
  }

  // The next chunk delivered (resuming the socket while none is queued); null at the end.
  async #next(): Promise<Uint8Array | null> {
    while (this.#queue.length === 0 && !this.#ended && !this.#failure) {
      const arrived = new Promise<void>((resolve) => this.#wake = resolve);
      this.#socket.resume();
      await arrived;
    }
    const chunk = this.#queue.shift();
    if (chunk) return chunk;
    if (this.#failure) throw this.#failure;
    return null;
  }

  // The socket's own chunk: it made a fresh one for each 'data' event and keeps none.
  async readChunk(): Promise<Uint8Array | null> {
    const chunk = this.#rest ?? await this.#next();
    this.#rest = null;
    if (chunk) this.#queuedBytes -= chunk.length;
    return chunk;
  }

  async read(view: Uint8Array): Promise<number | null> {
    const chunk = this.#rest ?? await this.#next();
    if (!chunk) return null;
    const n = Math.min(chunk.length, view.length);
    view.set(n === chunk.length ? chunk : chunk.subarray(0, n));
    this.#rest = n < chunk.length ? chunk.subarray(n) : null;
    this.#queuedBytes -= n;
    return n;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#socket.write(bytes, (error) => error ? reject(error) : resolve());
    });
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = this.#rest ?? await this.#next();
        this.#rest = null;
        if (chunk) {
          this.#queuedBytes -= chunk.byteLength;
          controller.enqueue(chunk);
        } else {
          controller.close();
        }
      },
      cancel: () => {
        this.#socket.destroy();
      },
    }, { highWaterMark: 0 });
  }

  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => new Promise<void>((resolve) => this.#socket.end(resolve)),
      abort: () => {
        this.#socket.destroy();
      },
    });
  }

  readonly #detach: () => void;

  // Also closes an upgrade in progress: an abandoned handshake (a silent server, a timeout)
  // must not leave the TCP connection open.
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#upgrading?.destroy();
    this.#socket.destroy();
  }

  async startTls(options: TlsOptions & { hostname: string }): Promise<Transport> {
    // Whatever the socket read past the STARTTLS reply was not TLS: refuse it.
    if (this.#queuedBytes > 0) {
      this.close();
      throw new IMAP4TlsError(
        "STARTTLS: the server sent data in clear after its tagged OK; possible injection",
      );
    }
    this.#detach();
    this.#socket.pause();
    const [{ connect }, { isIP }] = await Promise.all([tlsModule(), netModule()]);
    const connectOptions: tls.ConnectionOptions = {
      socket: this.#socket,
      // The name the certificate must match; also sent as SNI unless it is an address (RFC
      // 6066 section 3 forbids that, and Bun refuses it).
      host: options.hostname,
      ca: caList(options),
    };
    if (!isIP(options.hostname)) connectOptions.servername = options.hostname;
    // UNSAFE and explicit: the chain is still verified, only the name check is skipped.
    if (options.unsafelyDisableHostnameVerification) {
      connectOptions.checkServerIdentity = () => undefined;
    }
    const upgrading = this.#upgrading = connect(connectOptions);
    try {
      return await handshake(upgrading, options.hostname);
    } finally {
      // Upgraded (the TLS socket owns the TCP one now) or failed (handshake() destroyed it).
      this.#closed = true;
      this.#upgrading = null;
    }
  }
}

function caList(options: TlsOptions): string[] | undefined {
  if (!options.caCerts?.length) return undefined;
  // `ca` replaces the default roots in Node; the library's contract is "in addition to".
  return [...options.caCerts, ...defaultRoots];
}

let defaultRoots: readonly string[] = [];

function handshake(socket: tls.TLSSocket, hostname: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      socket.destroy();
      reject(
        new IMAP4TlsError(`TLS handshake with ${hostname} failed: ${error.message}`, {
          cause: error,
        }),
      );
    };
    // Closed before the handshake finished (the upgrade was abandoned): settle, not hang.
    const onClose = () => onError(new Error("connection closed during the handshake"));
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once("secureConnect", () => {
      socket.off("error", onError);
      socket.off("close", onClose);
      resolve(new NodeTransport(socket));
    });
  });
}

/** Opens a TCP or TLS connection with the Node API; TLS is verified against `options.tls`. */
export async function openNode(options: OpenOptions): Promise<Transport> {
  const { hostname, port, tls: tlsOptions } = options;
  const [netApi, tlsApi] = await Promise.all([netModule(), tlsModule()]);
  defaultRoots = tlsApi.rootCertificates;
  const socket = netApi.connect({ host: hostname, port });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
  const tcp = await untilAborted(connected, options.signal, (late) => late.destroy());
  const transport = new NodeTransport(tcp);
  if (!tlsOptions) return transport;
  return await untilAborted(
    transport.startTls({ ...tlsOptions, hostname: tlsOptions.hostname ?? hostname }),
    options.signal,
    (late) => late.close(),
  );
}

/**
 * Runs `command` through `/bin/sh -c` with its stdin and stdout as the transport (imaplib's
 * `IMAP4_stream`). Node and Bun give children socketpairs, not pipes, and some servers refuse
 * those (Dovecot's `imap`: "must not be started from inetd"), so the command runs between two
 * `cat`s, which hand it real pipes. Closing ends stdin and waits for the process to exit,
 * killing it after `graceMs`.
 */
export async function spawnNode(
  command: string,
  stderr: "inherit" | "null",
  graceMs = 2000,
): Promise<Transport> {
  const { spawn } = await import("node:child_process");
  const child = spawn("/bin/sh", [
    "-c",
    `cat | { ${command}
} | cat`,
  ], {
    stdio: ["pipe", "pipe", stderr === "inherit" ? "inherit" : "ignore"],
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  await spawned;
  const stdout = child.stdout!;
  const stdin = child.stdin!;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      stdout.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) stdout.pause();
      });
      stdout.once("end", () => {
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      stdout.once("error", (error: Error) => controller.error(error));
    },
    pull() {
      stdout.resume();
    },
    cancel() {
      stdout.destroy();
    },
  }, { highWaterMark: 0 });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        stdin.write(chunk, (error) => error ? reject(error) : resolve());
      }),
    close: () => new Promise<void>((resolve) => stdin.end(resolve)),
    abort: () => {
      stdin.destroy();
    },
  });
  let closing: Promise<void> | null = null;
  return {
    readable,
    writable,
    close(): Promise<void> {
      closing ??= (async () => {
        const timer = setTimeout(() => child.kill("SIGTERM"), graceMs);
        try {
          stdin.end();
          await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}
