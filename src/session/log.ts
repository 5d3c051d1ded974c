/**
 * Structured logging: one event object per thing that happened on a connection, for
 * applications that ship logs somewhere (beside imaplib's `debug` text output, which is
 * unchanged). Secrets never appear: no command arguments at all, no LOGIN or AUTHENTICATE data,
 * not even the size of a credential sent as a literal.
 *
 * @module
 */

/** What happened. */
export type LogEventName =
  | "connect" // the transport is open (IMAP4.connect)
  | "greeting" // the server's greeting was read
  | "tls" // STARTTLS upgraded the connection
  | "compress" // COMPRESS DEFLATE compressed the connection (RFC 4978)
  | "command" // a command was written
  | "literal" // a literal of a command was written
  | "response" // a command's tagged reply arrived
  | "idle-start" // IDLE accepted (the server's `+`)
  | "idle-stop" // IDLE ended (DONE answered, or the server ended it)
  | "error"; // the connection failed and was closed

/** One structured log event. Fields a kind of event has no use for are absent. */
export interface LogEntry {
  /** `"debug"` (commands, replies, literals), `"info"`, `"warn"` (NO/BAD), `"error"`. */
  level: "debug" | "info" | "warn" | "error";
  /** What happened; see {@linkcode LogEventName}. */
  event: LogEventName;
  /** The command's tag, e.g. `"ABCD12"`. */
  tag?: string;
  /** The command's name, without arguments (`"FETCH"`, `"UID"`, `"LOGIN"`). */
  command?: string;
  /** The tagged reply's status (`"OK"`, `"NO"`, `"BAD"`), or the greeting's (`"OK"`, `"PREAUTH"`). */
  status?: string;
  /** Size of a literal, in bytes. */
  bytes?: number;
  /** Milliseconds since the command was written, the connection was asked for, or IDLE began. */
  durationMs?: number;
  /** Host and port connected to (`connect`). */
  host?: string;
  /** TCP port (`connect`). */
  port?: number;
  /** The error's class and message (`error`). */
  error?: string;
}

/** Receives each {@linkcode LogEntry} as it happens; exceptions it throws are ignored. */
export type LogListener = (entry: LogEntry) => void;

/** Calls `listener` with `entry`, keeping the connection safe from a listener that throws. */
export function emit(listener: LogListener | undefined, entry: LogEntry): void {
  if (!listener) return;
  try {
    listener(entry);
  } catch {
    // A logger's failure must not break the protocol.
  }
}
