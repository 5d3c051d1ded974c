/**
 * IMAP4 IDLE (RFC 2177) as CPython 3.14's `IMAP4.idle()` offers it: an iterable of untagged
 * responses, ended by a duration, an `AbortSignal`, or leaving the scope.
 *
 * @module
 */

import { IMAP4Abort, IMAP4Error } from "./errors.ts";
import type { Datum } from "./parser.ts";
import { dataRepr, decodeText } from "./repr.ts";
import type { Session, State } from "./session.ts";

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
   * @param interval Seconds of quiet that end the burst. @default {0.1}
   */
  burst(interval?: number): AsyncGenerator<IdleResponse, void, undefined>;
  /**
   * Ends IDLE: sends DONE (once) and waits for the tagged reply. Idempotent. Called by
   * `[Symbol.asyncDispose]`.
   * @throws {IMAP4Error} if the server answers DONE with BAD.
   */
  done(): Promise<void>;
}

/** @internal What the idler needs from its connection. */
export interface IdleHost {
  session: Session;
  /** Lets the next queued command run. */
  release(): void;
  /** Sends bytes through the overridable `send()`. */
  send(bytes: Uint8Array): Promise<void>;
}

const DONE = new TextEncoder().encode("DONE\r\n");

/** @internal Starts IDLE on a session that the caller has exclusive use of. */
export async function startIdle(host: IdleHost, options: IdleOptions): Promise<Idler> {
  const { session } = host;
  if (!session.capabilities.includes("IDLE")) {
    throw new IMAP4Error("Server does not support IMAP4 IDLE");
  }
  if (options.duration !== undefined && !(options.duration >= 0)) {
    throw new RangeError(`duration must be a number of seconds >= 0, got ${options.duration}`);
  }
  const queue: [string, Datum[]][] = [];
  // Capture untagged responses before sending IDLE, so that those arriving before the
  // continuation request are delivered through iteration too.
  session.capture = queue;
  let tag: string;
  try {
    tag = await session.command("IDLE", []);
    for (;;) {
      const response = await session.getResponse();
      if (response?.kind === "continuation") break;
      const result = session.tagged.get(tag);
      if (result) {
        session.tagged.delete(tag);
        const text = dataRepr(result[1] as Uint8Array[]);
        if (result[0] === "NO") throw new IMAP4Error(`idle denied: ${text}`);
        throw session.fail(new IMAP4Abort(`unexpected status response: ${result[0]} ${text}`));
      }
    }
  } catch (error) {
    session.capture = null;
    storeLeftovers(session, queue);
    throw error;
  }
  return new IdlerImpl(host, tag, queue, options);
}

function storeLeftovers(session: Session, queue: [string, Datum[]][]): void {
  for (const [type, data] of queue.splice(0)) {
    for (const datum of data) session.appendUntagged(type, datum);
  }
}

class IdlerImpl implements Idler {
  readonly #host: IdleHost;
  readonly #tag: string;
  readonly #queue: [string, Datum[]][];
  readonly #untilMs: number | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #savedState: State;
  // "idling" until iteration or the server ends it; "ended" once the server's tagged reply
  // or a failure was seen; "done" once DONE was answered.
  #phase: "idling" | "ended" | "done" = "idling";
  #finishing: Promise<void> | null = null;

  constructor(host: IdleHost, tag: string, queue: [string, Datum[]][], options: IdleOptions) {
    this.#host = host;
    this.#tag = tag;
    this.#queue = queue;
    this.#signal = options.signal;
    this.#untilMs = options.duration === undefined
      ? undefined
      : performance.now() + options.duration * 1000;
    this.#savedState = host.session.state;
    host.session.state = "IDLING";
  }

  next(): Promise<IdleResponse | null> {
    return this.#pop(this.#untilMs);
  }

  // CPython's `_pop`: a queued response, or one read before `untilMs`; null when the wait ends.
  async #pop(untilMs: number | undefined): Promise<IdleResponse | null> {
    const session = this.#host.session;
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return queued;
      if (this.#phase !== "idling") return null;
      if (this.#signal?.aborted) return null;
      let response;
      try {
        response = await session.getResponse({ untilMs, signal: this.#signal });
      } catch (error) {
        this.#phase = "ended";
        this.#restore();
        throw error;
      }
      if (response === null) return null;
      if (response.kind === "tagged" || session.tagged.get(this.#tag)) {
        // The server ended IDLE by itself; nothing more will come.
        this.#phase = "ended";
        session.tagged.delete(this.#tag);
        this.#restore();
        continue;
      }
      // A second `+` during IDLE carries nothing to deliver; CPython crashes on it.
      if (response.kind === "continuation") continue;
      if (response.type === "BYE") {
        const bye = this.#queue.pop();
        const text = bye ? decodeText(bye[1][0] as Uint8Array) : "";
        this.#phase = "ended";
        this.#restore();
        throw session.fail(new IMAP4Abort(text));
      }
    }
  }

  async *burst(interval = 0.1): AsyncGenerator<IdleResponse, void, undefined> {
    if (!(interval >= 0)) throw new RangeError(`interval must be >= 0 seconds, got ${interval}`);
    const first = await this.next();
    if (!first) return;
    yield first;
    for (;;) {
      const response = await this.#pop(performance.now() + interval * 1000);
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

  #restore(): void {
    const session = this.#host.session;
    session.capture = null;
    storeLeftovers(session, this.#queue);
    if (session.state === "IDLING") session.state = this.#savedState;
  }

  async #finish(): Promise<void> {
    const session = this.#host.session;
    try {
      if (this.#phase === "idling") {
        this.#restore();
        if (!session.failure) {
          await this.#host.send(DONE);
          await session.commandComplete("IDLE", this.#tag);
        }
      }
      this.#restore();
      this.#phase = "done";
    } finally {
      this.#host.release();
    }
  }
}
