/**
 * IMAP4 IDLE (RFC 2177) as CPython 3.14's `IMAP4.idle()` offers it: an iterable of untagged
 * responses, ended by a duration, an `AbortSignal`, or leaving the scope.
 *
 * @module
 */

import { IMAP4Abort, IMAP4Error, IMAP4TimeoutError } from "../errors.ts";
import type { Datum } from "../wire/parser.ts";
import { dataRepr, decodeText } from "../wire/bytes.ts";
import type { Command } from "../session/command.ts";
import type { Session } from "../session/session.ts";
import type { State } from "../session/states.ts";

/** One untagged response delivered during IDLE: `[type, data]`, e.g. `["EXISTS", [b"4"]]`. */
export type IdleResponse = [type: string, data: Datum[]];

/** Options of `IMAP4.idle()`. */
export interface IdleOptions {
  /**
   * Seconds after which iteration ends (imaplib's `duration`), counted from the server's
   * continuation request. No limit if undefined. RFC 2177 asks clients to re-issue IDLE at
   * least every 29 minutes.
   */
  duration?: number;
  /** Ends iteration when aborted, as the duration does; e.g. `AbortSignal.timeout(ms)`. */
  signal?: AbortSignal;
  /**
   * Opt-in keep-alive: while iterating, end and re-issue IDLE (DONE, then IDLE again) every
   * this many seconds, invisibly to the iteration. RFC 2177 asks for at most 29 minutes; some
   * servers (Gmail) drop IDLE after about 10. Responses that arrive during a restart are
   * delivered in order. No restarts if undefined.
   */
  idleRestartSeconds?: number;
  /**
   * Opt-in dead-peer detection: if no byte arrives from the server for this many seconds while
   * idling, the connection is closed and iteration throws {@linkcode IMAP4TimeoutError}.
   * Choose it above the server's keep-alive interval (Dovecot sends `* OK Still here` every 2
   * minutes) or above `idleRestartSeconds`, whose restarts make the server answer. No watchdog
   * if undefined.
   */
  watchdogSeconds?: number;
}

/**
 * A running IDLE command: iterate it for untagged responses, dispose of it to send DONE.
 *
 * Behaviour (CPython 3.14's `Idler`):
 * - Iteration yields `[type, data]` per untagged response, including those that arrived
 *   before the server's `+`; a response with literals arrives as one item.
 * - Iteration ends (without error) when the duration passes or the signal aborts; a response
 *   half received at that moment is kept intact for later.
 * - Iteration also ends cleanly when the server ends IDLE by itself (a tagged reply).
 * - `BYE` during IDLE ends iteration with {@linkcode IMAP4Abort} carrying the BYE text; the
 *   connection is closed and no DONE is written.
 * - Leaving the `await using` scope (or calling `done()`) sends DONE exactly once and waits for
 *   the tagged reply. Responses not iterated, and those that arrive after DONE, go to the
 *   untagged store, where `response()` finds them.
 * - While it is active, every other command fails at once with `IMAP4.error` (state IDLING).
 *
 * @example
 * ```ts ignore
 * await using idler = await M.idle({ duration: 29 * 60 });
 * for await (const [type, data] of idler) console.log(type, data);
 * ```
 */
export interface Idler extends AsyncIterable<IdleResponse>, AsyncDisposable {
  /**
   * The next response, or `null` when iteration has ended (duration, signal, or the server
   * ended IDLE).
   * @throws {IMAP4Abort} on BYE or a broken connection.
   */
  next(): Promise<IdleResponse | null>;
  /**
   * imaplib's `burst(interval=0.1)`: yields the next response (waiting as iteration does), then
   * every further response that follows the previous one within `interval` seconds.
   * @param interval Seconds of quiet that end the burst. Default: `0.1`.
   */
  burst(interval?: number): AsyncGenerator<IdleResponse, void, undefined>;
  /**
   * Ends IDLE: sends DONE (once) and waits for the tagged reply. Idempotent. Called by
   * `[Symbol.asyncDispose]`.
   * @throws {IMAP4Error} if the server answers DONE with BAD.
   */
  done(): Promise<void>;
}

const DONE = new TextEncoder().encode("DONE\r\n");

/**
 * @internal Starts IDLE on `session` (whose queue the caller holds; `release` lets the next
 * command run once the IDLE is done).
 * @throws {IMAP4Error} without the IDLE capability, or when the server answers NO.
 */
export async function startIdle(
  session: Session,
  release: () => void,
  options: IdleOptions,
): Promise<Idler> {
  if (!session.capabilities.includes("IDLE")) {
    throw new IMAP4Error("Server does not support IMAP4 IDLE");
  }
  for (const name of ["duration", "idleRestartSeconds", "watchdogSeconds"] as const) {
    const value = options[name];
    if (value !== undefined && !(value >= 0)) {
      throw new RangeError(`${name} must be a number of seconds >= 0, got ${value}`);
    }
  }
  const command = await sendIdle(session);
  session.log({ level: "info", event: "idle-start", tag: command.tag });
  return new IdlerImpl(session, release, command, options);
}

// Sends IDLE and reads until the server's `+`. Untagged responses are captured from before
// IDLE is sent, so that those arriving before the `+` are delivered through iteration too.
async function sendIdle(session: Session): Promise<Command> {
  const command = await session.start("IDLE", [], { capture: true });
  try {
    if (await command.waitContinuation()) return command;
    const [status, data] = await command.reply();
    const text = dataRepr(data as Uint8Array[]);
    if (status === "NO") throw new IMAP4Error(`idle denied: ${text}`);
    throw session.fail(new IMAP4Abort(`unexpected status response: ${status} ${text}`));
  } catch (error) {
    command.end();
    throw error;
  }
}

function earliest(...times: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const t of times) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}

class IdlerImpl implements Idler {
  readonly #session: Session;
  readonly #release: () => void;
  #command: Command;
  readonly #untilMs: number | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #restartMs: number | undefined;
  readonly #watchdogMs: number | undefined;
  #restartAtMs: number | undefined;
  readonly #savedState: State;
  // "idling" until iteration or the server ends it; "ended" once the server's tagged reply
  // or a failure was seen; "done" once DONE was answered.
  #phase: "idling" | "ended" | "done" = "idling";
  #finishing: Promise<void> | null = null;
  #stopped = false;
  readonly #startedMs: number;

  constructor(session: Session, release: () => void, command: Command, options: IdleOptions) {
    this.#session = session;
    this.#release = release;
    this.#command = command;
    this.#signal = options.signal;
    const now = session.connection.clock.now();
    this.#untilMs = options.duration === undefined ? undefined : now + options.duration * 1000;
    this.#restartMs = options.idleRestartSeconds === undefined
      ? undefined
      : options.idleRestartSeconds * 1000;
    this.#restartAtMs = this.#restartMs === undefined ? undefined : now + this.#restartMs;
    this.#watchdogMs = options.watchdogSeconds === undefined
      ? undefined
      : options.watchdogSeconds * 1000;
    this.#savedState = session.state;
    this.#startedMs = session.connection.clock.now();
    session.setState("IDLING");
  }

  next(): Promise<IdleResponse | null> {
    return this.#pop(this.#untilMs);
  }

  // CPython's `_pop`: a queued response, or one read before `untilMs`; null when the wait ends.
  // Keep-alive restarts and the watchdog run inside the same wait.
  async #pop(untilMs: number | undefined): Promise<IdleResponse | null> {
    const session = this.#session;
    const connection = session.connection;
    for (;;) {
      const queued = this.#command.take();
      if (queued) return queued;
      if (this.#phase !== "idling") return null;
      if (this.#signal?.aborted) return null;
      const watchdogAtMs = this.#watchdogMs === undefined
        ? undefined
        : connection.lastReadMs + this.#watchdogMs;
      const waitUntilMs = earliest(untilMs, this.#restartAtMs, watchdogAtMs);
      let response;
      try {
        response = await this.#command.read({ untilMs: waitUntilMs, signal: this.#signal });
        if (response === null) {
          const now = connection.clock.now();
          if (untilMs !== undefined && now >= untilMs) return null;
          if (this.#signal?.aborted) return null;
          if (watchdogAtMs !== undefined && now >= connection.lastReadMs + this.#watchdogMs!) {
            throw session.fail(
              new IMAP4TimeoutError(
                `no data from the server for ${this.#watchdogMs! / 1000} s during IDLE`,
              ),
            );
          }
          if (this.#restartAtMs !== undefined && now >= this.#restartAtMs) await this.#restart();
          continue;
        }
      } catch (error) {
        this.#phase = "ended";
        this.#restore();
        throw error;
      }
      if (this.#command.done) {
        // The server ended IDLE by itself; nothing more will come.
        this.#phase = "ended";
        this.#restore();
        continue;
      }
      // A second `+` during IDLE carries nothing to deliver; CPython crashes on it.
      if (response.kind === "continuation") continue;
      if (response.kind === "untagged" && response.type === "BYE") {
        // Reads deliver one response at a time: the queue holds just this BYE.
        const bye = this.#command.take();
        const text = bye ? decodeText(bye[1][0] as Uint8Array) : "";
        this.#phase = "ended";
        this.#restore();
        throw session.fail(new IMAP4Abort(text));
      }
    }
  }

  // The keep-alive: DONE, the tagged reply, IDLE, the `+`. Responses in between stay captured
  // for iteration (the new IDLE goes on with the same capture). The connection's `timeout`
  // bounds each wait, so a dead peer fails here too.
  async #restart(): Promise<void> {
    const session = this.#session;
    await session.send(DONE);
    const [status, data] = await this.#command.reply();
    if (status !== "OK") {
      throw session.fail(
        new IMAP4Abort(`IDLE restart: DONE answered ${status} ${dataRepr(data as Uint8Array[])}`),
      );
    }
    session.setState(this.#savedState);
    this.#command = await sendIdle(session);
    session.setState("IDLING");
    this.#restartAtMs = session.connection.clock.now() + this.#restartMs!;
  }

  async *burst(interval = 0.1): AsyncGenerator<IdleResponse, void, undefined> {
    if (!(interval >= 0)) throw new RangeError(`interval must be >= 0 seconds, got ${interval}`);
    const first = await this.next();
    if (!first) return;
    yield first;
    for (;;) {
      const response = await this.#pop(this.#session.connection.clock.now() + interval * 1000);
      if (!response) return;
      yield response;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<IdleResponse, void, undefined> {
    for (;;) {
      const response = await this.next();
      if (!response) return;
      yield response;
    }
  }

  done(): Promise<void> {
    this.#finishing ??= this.#finish();
    return this.#finishing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.done();
  }

  // Captured responses not delivered go to the untagged store; the state is what it was.
  #restore(): void {
    if (!this.#stopped) {
      this.#stopped = true;
      const durationMs = this.#session.connection.clock.now() - this.#startedMs;
      this.#session.log({ level: "info", event: "idle-stop", tag: this.#command.tag, durationMs });
    }
    this.#command.end();
    if (this.#session.state === "IDLING") this.#session.setState(this.#savedState);
  }

  async #finish(): Promise<void> {
    const session = this.#session;
    try {
      if (this.#phase === "idling") {
        this.#restore();
        if (!session.failure) {
          await session.send(DONE);
          await this.#command.complete();
        }
      }
      this.#restore();
      this.#phase = "done";
    } finally {
      this.#release();
    }
  }
}
