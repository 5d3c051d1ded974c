/**
 * imaplib's `IMAP4_stream`: IMAP over a child process's stdin and stdout (e.g.
 * `ssh host /usr/lib/dovecot/imap`).
 *
 * @module
 */

import { IMAP4Error } from "../errors.ts";
import type { IdleOptions, Idler } from "./idler.ts";
import type { ConnectOptions } from "./options.ts";
import { IMAP4 } from "./imap4.ts";
import { spawnTransport } from "../transport/open.ts";
import type { Transport } from "../transport/transport.ts";

/** Options of {@linkcode IMAP4_stream.connect}. */
export interface StreamOptions extends ConnectOptions {
  /**
   * What happens to the process's stderr: `"inherit"` (imaplib's behaviour: it goes to ours) or
   * `"null"` (discarded). @default {"inherit"}
   */
  stderr?: "inherit" | "null";
  /** The shell command; {@linkcode IMAP4_stream.connect} sets it from its first argument. */
  command?: string;
}

/**
 * An IMAP4 client over a child process (imaplib's `IMAP4_stream`): `command` runs through
 * `/bin/sh -c`, and the process's stdin/stdout carry the protocol. Typical commands start a
 * preauthenticated server, so the state after connecting is AUTH.
 *
 * As in imaplib, `idle()` with a `duration` and `Idler.burst()` are refused ("duration requires
 * a socket connection", "burst() requires a socket connection"); an `AbortSignal` can still end
 * IDLE. `shutdown()` closes stdin and waits for the process to exit.
 *
 * On Deno the child gets pipes (`Deno.Command`). On Bun and Node, whose children get
 * socketpairs that some servers refuse (Dovecot's `imap`), the command runs between two `cat`s
 * that give it real pipes.
 *
 * @example
 * ```ts ignore
 * import { IMAP4_stream } from "@imaplib/imaplib";
 * await using M = await IMAP4_stream.connect("ssh mail.example.org /usr/lib/dovecot/imap");
 * await M.select("INBOX");
 * ```
 */
export class IMAP4_stream extends IMAP4 {
  /** imaplib's `command`: the shell command that was run. */
  command = "";
  readonly #stderr: "inherit" | "null";

  /**
   * Makes an unconnected client; use {@linkcode IMAP4_stream.connect} instead.
   * @param options See {@linkcode StreamOptions}.
   */
  constructor(options: StreamOptions = {}) {
    super(options);
    this.command = options.command ?? "";
    this.#stderr = options.stderr ?? "inherit";
  }

  /**
   * Runs `command` and reads the greeting over its stdout (imaplib's `IMAP4_stream(command)`).
   *
   * @param command A shell command line.
   * @param options See {@linkcode StreamOptions}. (A number here is refused: there is no port;
   *   the union only keeps the signature compatible with {@linkcode IMAP4.connect}.)
   * @returns The connected client.
   * @throws {IMAP4ConnectionError} if the process cannot be started or ends before greeting.
   * @throws {TypeError} if a port number is passed.
   */
  static override connect<T extends IMAP4>(
    this: new (options?: StreamOptions) => T,
    command: string,
    options?: StreamOptions | number,
  ): Promise<T> {
    options ??= {};
    if (typeof options === "number") {
      return Promise.reject(new TypeError("IMAP4_stream.connect(command, options) takes no port"));
    }
    return IMAP4.connect.call(this, "", 0, { ...options, command }) as Promise<T>;
  }

  /** Starts `command` (imaplib's `IMAP4_stream.open`); `host`, `port` are ignored. */
  override open(_host?: string, _port?: number, _timeout?: number): Promise<Transport> {
    return spawnTransport(this.command, this.#stderr);
  }

  /**
   * IDLE as {@linkcode IMAP4.idle}; `duration` and `burst()` are refused, as imaplib does on
   * pipes.
   * @throws {IMAP4Error} "duration requires a socket connection".
   */
  override async idle(options?: IdleOptions): Promise<Idler> {
    options ??= {};
    if (options.duration !== undefined) {
      throw new IMAP4Error("duration requires a socket connection");
    }
    const idler = await super.idle(options);
    return {
      next: () => idler.next(),
      // A generator, as imaplib's: the error comes at the first next(), not at the call.
      // deno-lint-ignore require-yield
      burst: async function* () {
        throw new IMAP4Error("burst() requires a socket connection");
      },
      done: () => idler.done(),
      [Symbol.asyncIterator]: () => idler[Symbol.asyncIterator](),
      [Symbol.asyncDispose]: () => idler[Symbol.asyncDispose](),
    };
  }
}
