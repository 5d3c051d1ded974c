/**
 * The connection-wide settings of a session: limits, timeouts, cancellation, the clock. Every
 * option of a connection is declared once, in this hierarchy: `DecoderOptions` (byte limits of
 * one response) < `SessionOptions` (this) < `ConnectOptions` (TLS) < `StreamOptions`.
 *
 * @module
 */

import type { DecoderOptions } from "../wire/decoder.ts";
import type { Clock } from "./clock.ts";
import type { LogListener } from "./log.ts";

/** Default of {@linkcode SessionOptions.connectTimeoutSeconds}: 30 seconds. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;

/**
 * The seconds connecting and the greeting may take under `options`, or `undefined` for no
 * bound: `timeout` when it is set, else `connectTimeoutSeconds` (30 by default).
 * @throws {RangeError} if either is neither a positive number nor null.
 */
export function connectTimeoutOf(options: SessionOptions): number | undefined {
  for (const name of ["timeout", "connectTimeoutSeconds"] as const) {
    const value = options[name];
    if (value !== undefined && value !== null && !(value > 0)) {
      throw new RangeError(`${name} must be a positive number of seconds or null, got ${value}`);
    }
  }
  if (options.timeout !== undefined) return options.timeout ?? undefined;
  if (options.connectTimeoutSeconds === null) return undefined;
  return options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
}

/** Default of {@linkcode SessionOptions.cancelGraceSeconds}: 10 seconds. */
export const DEFAULT_CANCEL_GRACE_SECONDS = 10;

/**
 * The last argument every command method takes (`M.fetch(set, items, { signal })`), after
 * imaplib's positional arguments.
 */
export interface CommandOptions {
  /**
   * Cancels this command only. Aborted before the command is written (queued behind others),
   * it is removed from the queue and nothing is sent; aborted in flight, the client waits up to
   * `cancelGraceSeconds` for its tagged reply and discards it, else closes the connection. The
   * call then throws `IMAP4CancelledError` (connection usable) or `IMAP4TimeoutError` (closed).
   */
  signal?: AbortSignal;
}

/**
 * The grace of {@linkcode SessionOptions.cancelGraceSeconds} in milliseconds, `null` for none.
 * @throws {RangeError} if it is not a number >= 0 or null.
 */
export function cancelGraceMsOf(options: SessionOptions): number | null {
  const value = options.cancelGraceSeconds;
  if (value === null) return null;
  if (value === undefined) return DEFAULT_CANCEL_GRACE_SECONDS * 1000;
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `cancelGraceSeconds must be a number of seconds >= 0 or null, got ${value}`,
    );
  }
  return value * 1000;
}

/** Settings of one connection's session (limits, timeouts, cancellation, the clock). */
export interface SessionOptions extends DecoderOptions {
  /**
   * Seconds that connecting, and then every single wait for the server (a read, a write, a TLS
   * handshake), may take; imaplib's `timeout`. Waiting for IDLE notifications is bounded by the
   * idle `duration`/`signal` instead. A timeout closes the connection and throws
   * {@linkcode IMAP4TimeoutError}. Unset (imaplib's default), single waits are unbounded, but
   * connecting and the greeting are still bounded by `connectTimeoutSeconds`; `null` bounds
   * nothing at all.
   * @default {undefined}
   * @throws {RangeError} at construction if not a positive number or null.
   */
  timeout?: number | null;
  /**
   * Seconds that connecting (TCP, and TLS for `IMAP4_SSL`) and the server's greeting may take
   * when `timeout` is unset: a library in a scheduled task or a server must not wait forever
   * for a host that accepts and stays silent (an implicit-TLS port spoken to in clear does
   * exactly that). Past it, the connection is closed and {@linkcode IMAP4TimeoutError} thrown.
   * `null` for no bound (imaplib's behaviour). Ignored when `timeout` is set (a number bounds
   * every wait; `null` none).
   * @default {30}
   * @throws {RangeError} at construction if not a positive number or null.
   */
  connectTimeoutSeconds?: number | null;
  /**
   * Aborting it closes the connection (or abandons connecting); pending and later commands
   * throw {@linkcode IMAP4TimeoutError} with the signal's reason as `cause`.
   */
  signal?: AbortSignal;
  /**
   * Seconds a command whose own `signal` (see {@linkcode CommandOptions}) fired while it was in
   * flight may still take to reach its tagged reply. A command in flight cannot be taken back:
   * the client waits for the reply and discards it (`IMAP4CancelledError`, the connection
   * usable), but past this grace it closes the connection and throws
   * {@linkcode IMAP4TimeoutError} instead. `0` closes at once; `null` always waits (the wait is
   * still bounded by `timeout`).
   * @default {10}
   * @throws {RangeError} at construction if not a number >= 0 or null.
   */
  cancelGraceSeconds?: number | null;
  /**
   * Max bytes of response data held at once for the caller: what a command collects before its
   * tagged reply plus unsolicited responses not yet taken with `response()`, and the queue of
   * an IDLE not iterated. A literal that is a view of a socket's buffer (Node/Bun transport,
   * over 4 KiB) counts that whole buffer, once. Exceeding it closes the connection with
   * `IMAP4LimitError`; raise it for very large buffered FETCHes.
   * @default {268_435_456}
   */
  maxStoredBytes?: number;
  /**
   * The time source of every deadline and timer of the connection (connecting, reads, writes,
   * IDLE keep-alive and watchdog); inject a fake one to test long IDLE scenarios quickly.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Send literals non-synchronizing (`{N+}`, RFC 7888) when the server advertises LITERAL+
   * (every literal) or LITERAL- (literals of at most 4,096 bytes), saving a round trip per
   * literal (APPEND, 8-bit passwords and mailbox names). `false` always waits for the server's
   * `+` before a literal, as imaplib does.
   * @default {true}
   */
  literalPlus?: boolean;
  /**
   * Structured logging: called with one `LogEntry` per event of the connection
   * (connect, greeting, tls, each command and its reply with status and duration, literal sizes,
   * idle start and stop, errors), from the connect call on, so the greeting and STARTTLS are
   * seen. No secrets: command arguments are never included, nor anything of LOGIN or
   * AUTHENTICATE beyond the command name. Exceptions it throws are ignored.
   * @default {undefined}
   */
  onLog?: LogListener;
}
