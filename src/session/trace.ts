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
  // The kept interactions, a ring of KEPT_INTERACTIONS slots in parallel arrays (no object per
  // line: every line of a bulk FETCH is kept for a moment), each with its text built only when
  // printed: from `#texts[i]`, or `#prefixes[i]` and the repr of `#bytes[i]` (a line kept
  // without a closure: an idle connection keeps ten, workload (h)); and when it happened.
  readonly #texts: ((() => string) | null)[] = new Array(KEPT_INTERACTIONS).fill(null);
  readonly #prefixes: string[] = new Array(KEPT_INTERACTIONS).fill("");
  readonly #bytes: (Uint8Array | null)[] = new Array(KEPT_INTERACTIONS).fill(null);
  // Unboxed doubles once a time is stored (a typed array would be a buffer of its own).
  readonly #atMs: number[] = new Array(KEPT_INTERACTIONS).fill(0);
  #next = 0;
  #kept = 0;

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
    this.#keep(text, "", null);
  }

  /** {@linkcode trace} of `prefix` and the repr of `bytes` (`< b'...'`). */
  traceBytes(prefix: string, bytes: Uint8Array): void {
    if (this.level >= 4) {
      this.mesg(prefix + bytesRepr(bytes));
      return;
    }
    this.#keep(null, prefix, bytes);
  }

  #keep(text: (() => string) | null, prefix: string, bytes: Uint8Array | null): void {
    const i = this.#next;
    this.#texts[i] = text;
    this.#prefixes[i] = prefix;
    this.#bytes[i] = bytes;
    this.#atMs[i] = Date.now();
    this.#next = (i + 1) % KEPT_INTERACTIONS;
    if (this.#kept < KEPT_INTERACTIONS) this.#kept++;
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
    const kept = this.#kept;
    this.#host.log(timestamped(`last ${kept} IMAP4 interactions:`));
    for (let n = 0; n < kept; n++) {
      const i = (this.#next - kept + n + KEPT_INTERACTIONS) % KEPT_INTERACTIONS;
      const text = this.#texts[i];
      this.#host.log(
        timestamped(text ? text() : this.#prefixes[i] + bytesRepr(this.#bytes[i]!), this.#atMs[i]),
      );
    }
  }
}
