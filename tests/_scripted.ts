// A scripted IMAP server on an in-memory transport: for what a real server will not show
// (hostile bytes, exact chunk splits, faults, timing) and CPython's scripted-server scenarios.

import { type ConnectOptions, IMAP4, type Transport } from "../mod.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The server's side of an in-memory connection. */
export class ServerSide {
  #controller!: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController;
  readonly #byteStream: boolean;
  #received = new Uint8Array(0);
  #waiters: (() => void)[] = [];
  #closedByClient = false;
  #ended = false;
  /** Every byte the client wrote, in order. */
  get received(): Uint8Array {
    return this.#received;
  }
  /** The client's bytes as text. */
  get receivedText(): string {
    return latin1.decode(this.#received);
  }
  /** True once the client closed the transport. */
  get closedByClient(): boolean {
    return this.#closedByClient;
  }

  readonly transport: Transport;
  #consumed = 0;

  /** How often the client upgraded the transport with `startTls` (simulated TLS). */
  upgrades = 0;

  /** Calls of the direct transport's `read()` and `readChunk()` (`direct`, `chunks`). */
  readonly directReads = { read: 0, readChunk: 0 };

  /**
   * @param options `byteStream`: the client reads a readable byte stream (BYOB reads)
   *   instead of a default stream of chunks. `direct`: the transport has `read()` and
   *   `write()` (like the Deno transport), and its streams throw if the client touches them;
   *   a read returns at most what the caller's view holds, the rest of a chunk comes next.
   *   `chunks`: as `direct`, and the transport has `readChunk()` too (like the Node/Bun
   *   transport), handing over each chunk the server sent as it is; {@linkcode directReads}
   *   counts the calls of each.
   */
  constructor(options: { byteStream?: boolean; direct?: boolean; chunks?: boolean } = {}) {
    this.#byteStream = options.byteStream ?? false;
    const { readable, writable } = this.#streams();
    // (Object.assign, not a spread: a spread would call the direct transport's throwing getters.)
    this.transport = Object.assign(
      options.direct || options.chunks
        ? directPaths(readable, writable, this.directReads, options.chunks ?? false)
        : { readable, writable },
      {
        close: () => this.#closeByClient(),
        // Simulated STARTTLS: fresh streams on the same connection, no cryptography (real TLS is
        // tested against Dovecot). Bytes the server sent before the switch stay on the old ones.
        startTls: () => {
          this.upgrades++;
          try {
            this.#controller.close();
          } catch {
            // already closed
          }
          const upgraded = this.#streams();
          return Promise.resolve({ ...upgraded, close: () => this.#closeByClient() });
        },
      },
    );
  }

  #closeByClient(): void {
    this.#closedByClient = true;
    this.end();
    this.#wake();
  }

  #streams(): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
    const source = {
      start: (controller: ReadableStreamDefaultController<Uint8Array>) => {
        this.#controller = controller;
      },
      cancel: () => {
        this.#closedByClient = true;
        this.#wake();
      },
    };
    const readable = this.#byteStream
      ? new ReadableStream({
        ...source,
        type: "bytes",
        start: (c: ReadableByteStreamController) => {
          this.#controller = c;
        },
      }) as ReadableStream<Uint8Array>
      : new ReadableStream<Uint8Array>(source);
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        const next = new Uint8Array(this.#received.length + chunk.length);
        next.set(this.#received, 0);
        next.set(chunk, this.#received.length);
        this.#received = next;
        this.#wake();
      },
      close: () => {
        this.#closedByClient = true;
        this.#wake();
      },
      abort: () => {
        this.#closedByClient = true;
        this.#wake();
      },
    });
    return { readable, writable };
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Sends bytes or text (each argument one chunk) to the client. */
  send(...chunks: (string | Uint8Array)[]): void {
    if (this.#ended) return;
    for (const chunk of chunks) {
      // (A byte stream's enqueue detaches the chunk's buffer: send the caller's bytes as a copy.)
      this.#controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk.slice());
    }
  }

  /** Sends a line, CRLF appended. */
  line(text: string): void {
    this.send(text + "\r\n");
  }

  /** Ends the stream (EOF for the client). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      this.#controller.close();
    } catch {
      // already closed or cancelled
    }
  }

  /** Errors the stream (a reset, for the client). */
  reset(reason: unknown = new Error("connection reset by peer")): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.error(reason);
  }

  /**
   * The next line the client wrote, without CRLF; `null` if the client closed first.
   * Rejects after `timeoutMs` so that a broken test fails instead of hanging.
   */
  async readLine(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.#received.subarray(this.#consumed);
      const lf = rest.indexOf(0x0a);
      if (lf >= 0) {
        this.#consumed += lf + 1;
        return latin1.decode(rest.subarray(0, lf)).replace(/\r$/, "");
      }
      if (this.#closedByClient) return null;
      await this.#wait(deadline, "a line from the client");
    }
  }

  /**
   * The next line the client wrote as bytes, up to and including its CRLF, as CPython's
   * SimpleIMAPHandler reads it (`rfile.read(1)` until the line ends with CRLF; a bare LF does not
   * end it); `null` if the client closed first. Rejects after `timeoutMs`, as `readLine` does.
   */
  async readRawLine(timeoutMs = 5000): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.#received.subarray(this.#consumed);
      for (let lf = rest.indexOf(0x0a); lf >= 0; lf = rest.indexOf(0x0a, lf + 1)) {
        if (lf > 0 && rest[lf - 1] === 0x0d) {
          this.#consumed += lf + 1;
          return rest.slice(0, lf + 1);
        }
      }
      if (this.#closedByClient) return null;
      await this.#wait(deadline, "a line from the client");
    }
  }

  /** The next `size` bytes the client wrote (a literal). */
  async readBytes(size: number, timeoutMs = 5000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.#received.subarray(this.#consumed);
      if (rest.length >= size) {
        this.#consumed += size;
        return rest.slice(0, size);
      }
      if (this.#closedByClient) throw new Error("client closed before sending the literal");
      await this.#wait(deadline, `${size} bytes from the client`);
    }
  }

  #wait(deadline: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        reject(new Error(`scripted server: timed out waiting for ${what}`));
      }, Math.max(0, deadline - Date.now()));
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(wake);
    });
  }
}

/** A parsed client command line. */
export interface ClientCommand {
  tag: string;
  name: string;
  args: string;
}

/** Reads and splits the next command; `null` if the client closed. */
export async function readCommand(server: ServerSide): Promise<ClientCommand | null> {
  const line = await server.readLine();
  if (line === null) return null;
  const [tag, name = "", ...rest] = line.split(" ");
  return { tag, name: name.toUpperCase(), args: rest.join(" ") };
}

/** Handler of one command; return `false` to stop serving. */
export type CommandHandler = (
  server: ServerSide,
  command: ClientCommand,
) => void | boolean | Promise<void | boolean>;

/** A handler that answers with `lines`, in order; `{tag}` in a line stands for the tag. */
export function replies(...lines: string[]): CommandHandler {
  return (s, c) => {
    for (const line of lines) s.line(line.replaceAll("{tag}", c.tag));
  };
}

/**
 * A handler that sends `chunks` (each one chunk, as {@linkcode ServerSide.send} does), then ends
 * the connection: EOF for the client, and the end of serving.
 */
export function hangUp(...chunks: string[]): CommandHandler {
  return (s) => {
    s.send(...chunks);
    s.end();
    return false;
  };
}

/** Options of {@linkcode serve}: CPython's SimpleIMAPHandler, made scriptable. */
export interface ServeOptions {
  /** The greeting line. @default {"* OK IMAP4rev1"} */
  greeting?: string | null;
  /** Extra capabilities after IMAP4rev1. */
  capabilities?: string;
  /** Handlers by command name, overriding the defaults. */
  handlers?: Record<string, CommandHandler>;
}

/**
 * Runs a CPython-style scripted server on `server` until the client logs out or closes.
 * Defaults: CAPABILITY, LOGIN (any user), NOOP, LOGOUT answered as Dovecot does; anything
 * else gets `BAD unknown command`.
 */
export async function serve(server: ServerSide, options: ServeOptions = {}): Promise<void> {
  const caps = `IMAP4rev1${options.capabilities ? " " + options.capabilities : ""}`;
  const defaults: Record<string, CommandHandler> = {
    CAPABILITY: (s, c) => {
      s.line(`* CAPABILITY ${caps}`);
      s.line(`${c.tag} OK CAPABILITY completed`);
    },
    LOGIN: (s, c) => s.line(`${c.tag} OK [CAPABILITY ${caps}] LOGIN completed`),
    NOOP: (s, c) => s.line(`${c.tag} OK NOOP completed`),
    SELECT: (s, c) => {
      s.line("* 2 EXISTS");
      s.line(`${c.tag} OK [READ-WRITE] SELECT completed`);
    },
    LOGOUT: (s, c) => {
      s.line("* BYE IMAP4ref1 Server logging out");
      s.line(`${c.tag} OK LOGOUT completed`);
      s.end();
      return false;
    },
  };
  const handlers = { ...defaults, ...options.handlers };
  if (options.greeting !== null) server.line(options.greeting ?? "* OK IMAP4rev1");
  for (;;) {
    const command = await readCommand(server);
    if (!command) return;
    const handler = handlers[command.name];
    if (!handler) {
      server.line(`${command.tag} BAD unknown command`);
      continue;
    }
    if ((await handler(server, command)) === false) return;
  }
}

/**
 * `read()` and `write()` over a stream pair, whose own getters then throw; `readChunk()` too
 * with `chunks`. Reads of either kind are one at a time.
 */
function directPaths(
  readable: ReadableStream<Uint8Array>,
  writable: WritableStream<Uint8Array>,
  counts: { read: number; readChunk: number },
  chunks: boolean,
): Pick<Transport, "readable" | "writable" | "read" | "readChunk" | "write"> {
  const reader = readable.getReader();
  const writer = writable.getWriter();
  let rest: Uint8Array = new Uint8Array(0);
  let writing = false;
  let reading = false;
  const oneAtATime = async <T>(read: () => Promise<T>): Promise<T> => {
    if (reading) throw new Error("a read while a read was in flight");
    reading = true;
    try {
      return await read();
    } finally {
      reading = false;
    }
  };
  const readChunk = (): Promise<Uint8Array | null> =>
    oneAtATime(async () => {
      counts.readChunk++;
      if (rest.length > 0) {
        const chunk = rest;
        rest = new Uint8Array(0);
        return chunk;
      }
      const { value, done } = await reader.read();
      return done ? null : value;
    });
  return {
    ...(chunks ? { readChunk } : {}),
    get readable(): ReadableStream<Uint8Array> {
      throw new Error("a transport with read() was read through its readable");
    },
    get writable(): WritableStream<Uint8Array> {
      throw new Error("a transport with write() was written through its writable");
    },
    read(view: Uint8Array): Promise<number | null> {
      return oneAtATime(async () => {
        counts.read++;
        if (rest.length === 0) {
          const { value, done } = await reader.read();
          if (done) return null;
          rest = value;
        }
        const n = Math.min(view.length, rest.length);
        view.set(rest.subarray(0, n));
        rest = rest.subarray(n);
        return n;
      });
    },
    // The contract: one write at a time.
    async write(bytes: Uint8Array): Promise<void> {
      if (writing) throw new Error("write() called while a write was in flight");
      writing = true;
      try {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await writer.write(bytes);
      } finally {
        writing = false;
      }
    },
  };
}

/** Options of {@linkcode connectScripted}: the server's, the transport's and the client's. */
export interface ScriptedOptions extends ServeOptions {
  /** The client reads a readable byte stream (see {@linkcode ServerSide}). */
  byteStream?: boolean;
  /** The transport has direct `read()` and `write()` (see {@linkcode ServerSide}). */
  direct?: boolean;
  /** The transport has `readChunk()` as well (see {@linkcode ServerSide}). */
  chunks?: boolean;
  /** The client's options, for `IMAP4.fromTransport`. */
  client?: ConnectOptions;
  /**
   * The client's state when it is handed over: `NONAUTH` as connected, `AUTH` once logged in
   * (with `login`), `SELECTED` once INBOX is selected as well. @default {"NONAUTH"}
   */
  state?: "NONAUTH" | "AUTH" | "SELECTED";
  /** The user name and password of the login. @default {["u", "p"]} */
  login?: [string, string];
}

/** A scripted server ({@linkcode serve}) and a client connected to it. */
export interface Scripted {
  /** The server's side of the connection. */
  server: ServerSide;
  /** The running server: it settles once the client logged out or closed. */
  serving: Promise<void>;
  /** The client. */
  M: IMAP4;
  /** Logs the client out and waits for the server to finish. */
  done(): Promise<void>;
}

/** Serves `options` on a new {@linkcode ServerSide} and connects a client to it. */
export async function connectScripted(options: ScriptedOptions = {}): Promise<Scripted> {
  const server = new ServerSide({
    byteStream: options.byteStream,
    direct: options.direct,
    chunks: options.chunks,
  });
  const serving = serve(server, options);
  const M = await IMAP4.fromTransport(server.transport, options.client);
  if (options.state === "AUTH" || options.state === "SELECTED") {
    await M.login(...(options.login ?? ["u", "p"]));
  }
  if (options.state === "SELECTED") await M.select();
  const done = async () => {
    await M.logout();
    await serving;
  };
  return { server, serving, M, done };
}

/** Milliseconds of real time, for scenarios that need the server to pause. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bytes as text, for assertions. */
export function str(bytes: Uint8Array | null | undefined | unknown): string {
  return bytes instanceof Uint8Array ? latin1.decode(bytes) : String(bytes);
}
