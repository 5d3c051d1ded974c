/**
 * The iterator behind `fetchIter()` and the typed `fetchMessages()`: a streaming command's
 * untagged responses, each handed over as it arrives.
 *
 * Written by hand rather than as an async generator: a generator keeps the value it yielded
 * last in its saved registers until it yields again, on V8 and on JSC, so a message the caller
 * had dropped stayed alive through the generators it passed through while the next one
 * arrived, and a collection running meanwhile kept it, to be freed only by a full one: on Bun
 * a 5 MB `source` FETCH took ~10 MiB more and ~10% more time (bench/RESULTS.md, twelfth
 * session). Here nothing of a response is kept once it is handed over.
 *
 * @module
 */

import { IMAP4CancelledError } from "../errors.ts";
import type { Command } from "../session/command.ts";
import type { Argument } from "../wire/encoder.ts";
import type { Datum } from "../wire/parser.ts";
import type { ClientCore, Holder } from "./core.ts";
import { completeOk } from "./streaming_run.ts";

/** @internal What a {@linkcode ResponseIterator} runs and hands over. */
export interface ResponseIteration<T> {
  /** Who holds the connection meanwhile (named in the errors of other commands). */
  holder: Holder;
  /** Checked as each response arrives: aborted, the rest is drained, then it throws. */
  signal?: AbortSignal;
  /**
   * The command, made on the first `next()` (a bad argument throws there, before the
   * connection is taken); `null` when there is nothing to ask for (the iteration ends).
   */
  command(): [name: string, args: Argument[]] | null;
  /** The item for an untagged response, or `undefined` to skip the response. */
  map(type: string, data: Datum[]): T | undefined;
  /** The error thrown for `error` (the typed layer's command errors). */
  mapError?(error: unknown): unknown;
}

const DONE: IteratorResult<never, void> = Object.freeze({ value: undefined, done: true });
const ignore = () => {};

/**
 * @internal An async generator over a streaming command's responses (see the module's
 * documentation). Holds the connection from the first `next()` until the tagged reply, or
 * until `return()` / `throw()` / an error, which read and drop the rest of the command
 * (`cancelGraceSeconds` after an abort) so the connection stays usable. Calls are served in
 * order, as a generator's are.
 */
export class ResponseIterator<T> implements AsyncGenerator<T, void, undefined> {
  readonly #core: ClientCore;
  readonly #spec: ResponseIteration<T>;
  #state: "new" | "running" | "done" = "new";
  #command: Command | null = null;
  // Ends the watch for a cancellation's grace and lets the next command run.
  #release: () => void = ignore;
  // A call is being served (the iteration's own state is #state); calls made meanwhile wait
  // here for their turn.
  #serving = false;
  readonly #waiting: (() => void)[] = [];

  constructor(core: ClientCore, spec: ResponseIteration<T>) {
    this.#core = core;
    this.#spec = spec;
  }

  /** The next response's item, once it has arrived. */
  next(): Promise<IteratorResult<T, void>> {
    if (this.#serving) return this.#later(() => this.next());
    this.#serving = true;
    return this.#step();
  }

  /** Stops: the rest of the command is read and dropped, the connection released. */
  return(): Promise<IteratorResult<T, void>> {
    if (this.#serving) return this.#later(() => this.return());
    this.#serving = true;
    return this.#end(null);
  }

  /** Stops as `return()` does, then rejects with `error`. */
  throw(error: unknown): Promise<IteratorResult<T, void>> {
    if (this.#serving) return this.#later(() => this.throw(error));
    this.#serving = true;
    return this.#end({ error });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  // Calls are served one at a time, in order, as a generator's are; one made while another is
  // served waits for its turn. (A `for await` loop makes one at a time: no promise of its own.)
  #later(call: () => Promise<IteratorResult<T, void>>): Promise<IteratorResult<T, void>> {
    return new Promise<void>((turn) => this.#waiting.push(turn)).then(call);
  }

  #served(): void {
    this.#serving = false;
    this.#waiting.shift()?.();
  }

  async #end(thrown: { error: unknown } | null): Promise<IteratorResult<T, void>> {
    try {
      await this.#stop();
    } finally {
      this.#served();
    }
    if (thrown) throw thrown.error;
    return DONE;
  }

  async #step(): Promise<IteratorResult<T, void>> {
    try {
      if (this.#state === "done") return DONE;
      if (this.#state === "new" && !await this.#start()) return DONE;
      const command = this.#command!;
      const connection = this.#core.session.connection;
      // The caller's time since the last item counts in the event loop's slice.
      const turn = connection.turnIfDue();
      if (turn) await turn;
      for (;;) {
        this.#checkSignal();
        const taken = command.take();
        if (taken) {
          const value = this.#spec.map(taken[0], taken[1]);
          if (value !== undefined) return { value, done: false };
          continue;
        }
        if (command.done) {
          await completeOk(command);
          this.#checkSignal();
          await this.#stop();
          return DONE;
        }
        this.#core.session.checkBye();
        if (!command.readBuffered()) await command.read();
      }
    } catch (error) {
      await this.#stop();
      throw this.#spec.mapError ? this.#spec.mapError(error) : error;
    } finally {
      this.#served();
    }
  }

  // Takes the connection and sends the command; false when there is none to send.
  async #start(): Promise<boolean> {
    this.#state = "running";
    const started = this.#spec.command();
    if (started === null) {
      this.#state = "done";
      return false;
    }
    this.#checkSignal();
    const { holder, signal } = this.#spec;
    const core = this.#core;
    const release = await core.hold(holder, started[0], signal);
    const stopGrace = signal ? core.graceOnAbort(started[0], signal) : ignore;
    this.#release = () => {
      stopGrace();
      release();
    };
    this.#command = await core.session.start(started[0], started[1], { capture: true });
    return true;
  }

  #checkSignal(): void {
    const { holder, signal } = this.#spec;
    if (signal?.aborted) throw new IMAP4CancelledError(holder, signal.reason);
  }

  // Ends the iteration: a command left before its tagged reply is read to its end first
  // (unless the connection failed), then its policies end and the connection is released.
  async #stop(): Promise<void> {
    if (this.#state === "done") return;
    this.#state = "done";
    const command = this.#command;
    this.#command = null;
    try {
      if (command && !command.done && !this.#core.session.failure) await command.drain();
    } finally {
      command?.end(() => false);
      this.#release();
    }
  }
}
