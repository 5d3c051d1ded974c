/**
 * imaplib's debug output: `_mesg` lines at debug level 4 and above, else the `_log` ring of the
 * last 10 interactions for `print_log()`. Credentials never reach it: the session passes
 * redacted text for LOGIN and AUTHENTICATE.
 *
 * @module
 */

import type { Frame } from "../wire/decoder.ts";
import { bytesRepr } from "../wire/bytes.ts";

/** Where trace output goes and how much of it is wanted; supplied by the client. */
export interface TraceHost {
  /** imaplib's `debug` level, read on every trace. */
  debugLevel(): number;
  /** Writes one time-stamped line (imaplib writes to stderr). */
  log(line: string): void;
}

/**
 * One kept interaction, its text built only when printed: from `text`, or `prefix` and the repr
 * of `bytes` (a line kept without a closure: an idle connection keeps ten of these, workload
 * (h)); and when it happened.
 */
export interface Interaction {
  text: (() => string) | null;
  prefix: string;
  bytes: Uint8Array | null;
  atMs: number;
}

// imaplib's `_cmd_log_len`.
const KEPT_INTERACTIONS = 10;

/** imaplib's `_mesg` line: two spaces, `MM:SS.cc` local time, the text. */
export function timestamped(text: string, atMs: number = Date.now()): string {
  const at = new Date(atMs);
  const mm = String(at.getMinutes()).padStart(2, "0");
  const ss = String(at.getSeconds()).padStart(2, "0");
  const cc = String(Math.floor(at.getMilliseconds() / 10)).padStart(2, "0");
  return `  ${mm}:${ss}.${cc} ${text}`;
}

/** The debug trace of one connection. */
export class Trace {
  readonly #host: TraceHost;
  readonly #interactions: Interaction[] = [];

  constructor(host: TraceHost) {
    this.#host = host;
  }

  /** The current debug level. */
  get level(): number {
    return this.#host.debugLevel();
  }

  /** imaplib's `_mesg`: writes `text` now, time-stamped. */
  mesg(text: string): void {
    this.#host.log(timestamped(text));
  }

  /**
   * imaplib's `_mesg` at level >= 4, else its `_log` ring. The text is built only when shown,
   * so tracing costs nothing measurable at level 0.
   */
  trace(text: () => string): void {
    if (this.level >= 4) {
      this.mesg(text());
      return;
    }
    this.#keep({ text, prefix: "", bytes: null, atMs: Date.now() });
  }

  /** {@linkcode trace} of `prefix` and the repr of `bytes` (`< b'...'`). */
  traceBytes(prefix: string, bytes: Uint8Array): void {
    if (this.level >= 4) {
      this.mesg(prefix + bytesRepr(bytes));
      return;
    }
    this.#keep({ text: null, prefix, bytes, atMs: Date.now() });
  }

  #keep(interaction: Interaction): void {
    this.#interactions.push(interaction);
    if (this.#interactions.length > KEPT_INTERACTIONS) this.#interactions.shift();
  }

  /** Traces the lines of a received response (`< b'...'`) and, at level 4, literal sizes. */
  frame(frame: Frame): void {
    const { lines, literals } = frame;
    for (let i = 0; i < lines.length; i++) {
      this.traceBytes("< ", lines[i]);
      if (i < literals.length && this.level >= 4) {
        this.mesg(`read literal size ${literals[i].length}`);
      }
    }
  }

  /** imaplib's `print_log()`: the kept interactions, oldest first, through the host's log. */
  printLog(): void {
    const kept = this.#interactions;
    this.#host.log(timestamped(`last ${kept.length} IMAP4 interactions:`));
    for (const { text, prefix, bytes, atMs } of kept) {
      this.#host.log(timestamped(text ? text() : prefix + bytesRepr(bytes!), atMs));
    }
  }
}
