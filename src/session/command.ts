/**
 * The command primitive: one running command, its responses as they arrive, and its completion.
 * Every command goes through it, whatever it does with its responses: plain commands read to
 * their tagged reply, IDLE and `fetchIter()` capture their untagged responses to hand them out
 * one by one, `fetchBody()`/`fetchBodies()` stream literals, STARTTLS reads nothing past its
 * tagged OK, AUTHENTICATE answers continuation requests.
 *
 * @module
 */

import { IMAP4Abort, IMAP4Error, IMAP4TlsError } from "../errors.ts";
import type { LiteralAcceptor } from "../wire/decoder.ts";
import type { Datum, Response } from "../wire/parser.ts";
import { dataRepr } from "../wire/bytes.ts";
import type { SoftLimit } from "./connection.ts";
import type { Result, Session } from "./session.ts";
import type { Captured } from "./untagged_store.ts";

/** How a command reacts to a continuation request: returns the bytes to send, CRLF excluded. */
export type ContinuationHandler = (data: Uint8Array | null) => Promise<Uint8Array> | Uint8Array;

/** What a command does with its responses, beyond reading them to its tagged reply. */
export interface CommandPolicy {
  /**
   * Untagged responses go to this command (`take()`) instead of the untagged
   * store, from before the command is sent until `end()`; what is left then goes to the store
   * as `end()`'s `keep` decides.
   */
  capture?: boolean;
  /** Literals it accepts stream to its sinks as they arrive (see `FrameDecoder`). */
  streamLiteral?: LiteralAcceptor;
  /** Answers each continuation request until the tagged reply (AUTHENTICATE). */
  onContinuation?: ContinuationHandler;
  /**
   * Reads nothing past the tagged reply and refuses a continuation request (STARTTLS: bytes
   * after its OK are TLS or an attack, RFC 3501 section 6.2.1).
   */
  stopAtCompletion?: boolean;
}

const all = () => true;

/** One command on the wire, from its tag to its tagged reply. */
export class Command {
  /** The command name, e.g. `"FETCH"`, `"UID"`. */
  readonly name: string;
  /** Its tag. */
  readonly tag: string;
  readonly #session: Session;
  readonly #policy: CommandPolicy;
  #result: Result | null = null;
  #ended = false;
  readonly #startedMs: number;

  /** @internal Made by `Session.start()`, which sends the command. */
  constructor(session: Session, name: string, tag: string, policy: CommandPolicy) {
    this.#session = session;
    this.name = name;
    this.tag = tag;
    this.#policy = policy;
    this.#startedMs = session.connection.clock.now();
  }

  /** Whether the tagged reply has arrived. */
  get done(): boolean {
    return this.#result !== null || this.#session.tagResult(this.tag) != null;
  }

  /**
   * Reads one response (imaplib's `_get_response`); untagged data goes to the capture queue or
   * the store. With `soft`, `null` when its deadline or signal ends the wait first.
   * @throws {IMAP4TlsError} on a continuation request when the policy stops at completion.
   */
  async read(soft?: SoftLimit): Promise<Response | null> {
    return this.#checked(this.#session.takeResponse() ?? await this.#session.getResponse(soft));
  }

  /**
   * `read()` of a response already decoded, synchronously: whether there was one. Loops over a
   * burst of responses call this first, and `read()` only when it is false.
   */
  readBuffered(): boolean {
    const response = this.#session.takeResponse();
    if (response === undefined) return false;
    this.#checked(response);
    return true;
  }

  #checked<T extends Response | null>(response: T): T {
    if (response?.kind === "continuation" && this.#policy.stopAtCompletion) {
      // A `+` cannot answer STARTTLS; going on would leave the connection in clear.
      throw this.#session.fail(
        new IMAP4TlsError(`${this.name} answered with a continuation request`),
      );
    }
    return response;
  }

  /**
   * One step of a command that streams literals: a decoded response if one is waiting, else
   * one chunk from the connection (which may go to a literal's sink without completing any
   * response).
   */
  async step(): Promise<void> {
    this.#session.checkBye();
    if (this.#session.connection.hasBufferedFrame) await this.read();
    else await this.#session.connection.pump();
  }

  /** Steps until `ready()` holds (`true`) or the command completed first (`false`). */
  async stepUntil(ready: () => boolean): Promise<boolean> {
    for (;;) {
      if (ready()) return true;
      if (this.done) return false;
      await this.step();
    }
  }

  /**
   * Yields before each step until the tagged reply has arrived (one last time after it), so a
   * loop body sees every state in between: `for await (const _ of command.steps()) ...`.
   */
  async *steps(): AsyncGenerator<void, void, undefined> {
    for (;;) {
      yield;
      if (this.done) return;
      await this.step();
    }
  }

  /** Reads until a continuation request (`true`) or the tagged reply (`false`). */
  async waitContinuation(): Promise<boolean> {
    for (;;) {
      const response = await this.read();
      if (response?.kind === "continuation") return true;
      if (this.done) return false;
    }
  }

  /** Takes the first captured response. */
  take(): Captured | undefined {
    return this.#session.store.takeCaptured();
  }

  /** Drops the captured responses that `drop` selects (see `UntaggedStore.dropCaptured`). */
  drop(drop: (type: string, data: Datum[]) => boolean): void {
    this.#session.store.dropCaptured(drop);
  }

  /**
   * imaplib's `_get_tagged_response`: reads to the tagged reply and returns it as is; the tag
   * is forgotten. With `expectBye` (LOGOUT), a BYE ends the wait as `["BYE", data]`.
   */
  async reply(expectBye = false): Promise<Result> {
    for (;;) {
      if (this.#result) return this.#result;
      const result = this.#session.tagResult(this.tag);
      if (result) {
        this.#result = result;
        this.#session.forgetTag(this.tag);
        const status = result[0];
        this.#session.log({
          level: status === "OK" ? "debug" : "warn",
          event: "response",
          tag: this.tag,
          command: this.name,
          status,
          durationMs: this.#session.connection.clock.now() - this.#startedMs,
        });
        return result;
      }
      if (expectBye) {
        const bye = this.#session.store.take("BYE");
        if (bye) return ["BYE", bye];
      }
      this.#session.checkBye();
      if (!this.readBuffered()) await this.read();
    }
  }

  /**
   * imaplib's `_command_complete`: the tagged reply, after which the policies end (captured
   * responses left go to the untagged store if `keep` accepts them, all by default). A stored
   * BYE ends the connection; BAD throws.
   * @throws {IMAP4Error} on BAD (`NAME command error: BAD [...]`).
   * @throws {IMAP4Abort} when the connection ends first (`command: NAME => reason`).
   */
  async complete(keep: (type: string, data: Datum[]) => boolean = all): Promise<Result> {
    const session = this.#session;
    const logout = this.name === "LOGOUT";
    let result: Result;
    try {
      if (!logout) session.checkBye();
      result = await this.reply(logout);
    } catch (error) {
      this.end(keep);
      throw prefixed(error, this.name);
    }
    this.end(keep);
    if (!logout) session.checkBye();
    if (result[0] === "BAD") {
      throw new IMAP4Error(
        `${this.name} command error: BAD ${dataRepr(result[1] as Uint8Array[])}`,
      );
    }
    return result;
  }

  /**
   * After the caller stopped early: reads the rest of the command's responses up to its tagged
   * reply, dropping streamed literals and the responses `drop` selects as they arrive (all by
   * default), so that the connection stays in step. Never throws: a failure while draining is
   * recorded by the session, which is then closed.
   */
  async drain(drop: (type: string, data: Datum[]) => boolean = all): Promise<void> {
    if (this.#policy.streamLiteral) this.#session.connection.streamLiterals(() => DROP);
    try {
      while (!this.done) {
        this.drop(drop);
        await this.step();
      }
      await this.reply();
    } catch {
      // The connection failed while draining; it is closed and the failure is recorded.
    }
  }

  /**
   * Ends the policies (idempotent): streaming and read-ahead return to normal, the tag is
   * forgotten, and captured responses not taken go to the untagged store if `keep` accepts
   * them (all by default).
   */
  end(keep: (type: string, data: Datum[]) => boolean = all): void {
    if (this.#ended) return;
    this.#ended = true;
    const session = this.#session;
    if (this.#policy.streamLiteral) session.connection.streamLiterals(null);
    if (this.#policy.stopAtCompletion) session.connection.setReadAhead(true);
    // A reply that arrived but was not taken; a pending tag stays known, so that a late reply
    // is still recognised as this command's.
    if (!this.#result && session.tagResult(this.tag)) session.forgetTag(this.tag);
    if (this.#policy.capture) {
      try {
        session.store.endCapture(keep);
      } catch (error) {
        // The store overflowed while taking the rest back: the connection ends.
        session.fail(error as IMAP4Abort);
      }
    }
  }
}

// A sink that drops a literal's bytes as they arrive (draining after an early exit).
const DROP = { write: () => {}, end: () => {} };

// imaplib's `command: NAME => reason`, kept on the same class; the original is the cause.
function prefixed(error: unknown, name: string): unknown {
  if (!(error instanceof IMAP4Error)) return error;
  const Class = error.constructor;
  if (Class !== IMAP4Abort && Class !== IMAP4Error) return error;
  return new (Class as typeof IMAP4Error)(`command: ${name} => ${error.message}`, {
    cause: error,
  });
}
