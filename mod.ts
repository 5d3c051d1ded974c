/**
 * An IMAP4 client for Deno, Bun, Node and edge runtimes: a faithful TypeScript port of CPython
 * 3.14's `imaplib` (every command, the same names and `[type, data]` results, IMAP4 IDLE) on Web
 * Streams, with zero dependencies, and beside it a typed layer (decoded ENVELOPE,
 * BODYSTRUCTURE, LIST, STATUS, SEARCH values; Unicode mailbox names).
 *
 * @example Log in, search, fetch, idle
 * ```ts ignore
 * import { IMAP4 } from "@imaplib/imaplib";
 *
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await M.select("INBOX");
 * const [, [ids]] = await M.search(null, "UNSEEN");
 * await using idler = await M.idle({ duration: 29 * 60 });
 * for await (const [type, data] of idler) console.log(type, data);
 * ```
 *
 * @module
 */

export {
  type Arg,
  type ArgsAndOptions,
  IMAP4,
  IMAP4_PORT,
  IMAP4_SSL_PORT,
} from "./src/client/imap4.ts";
export { IMAP4Aliases } from "./src/client/aliases.ts";
export { IMAP4Streaming } from "./src/client/streaming.ts";
export { IMAP4_SSL } from "./src/client/imap4_ssl.ts";
export type { ConnectOptions } from "./src/client/options.ts";
export {
  type CommandOptions,
  DEFAULT_CANCEL_GRACE_SECONDS,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  type SessionOptions,
} from "./src/session/options.ts";
export type { LogEntry, LogEventName, LogListener } from "./src/session/log.ts";
export type { IdleOptions, Idler, IdleResponse } from "./src/client/idler.ts";
export { type Data, type Result } from "./src/session/session.ts";
export { type Clock, systemClock } from "./src/session/clock.ts";
export type { State } from "./src/session/states.ts";
export { Int2AP, Internaldate2tuple, ParseFlags, Time2Internaldate } from "./src/functions.ts";
export {
  IMAP4Abort,
  IMAP4ArgumentError,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4LimitError,
  IMAP4ProtocolError,
  IMAP4Readonly,
  IMAP4TimeoutError,
  IMAP4TlsError,
} from "./src/errors.ts";
export type { OpenOptions, TlsOptions, Transport } from "./src/transport/transport.ts";
export {
  type DecoderOptions,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_LITERAL_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
  type Frame,
  FrameDecoder,
  FrameDecoderStream,
  type LiteralAcceptor,
  type LiteralSink,
  STREAMED_LITERAL,
} from "./src/wire/decoder.ts";
export {
  type ContinuationResponse,
  type Datum,
  parseFrame,
  parseResponseCode,
  type Response,
  type ResponseCode,
  type TaggedResponse,
  type UntaggedResponse,
} from "./src/wire/parser.ts";
export {
  type Argument,
  type ArgumentKind,
  encodeCommand,
  type EncodeOptions,
  type Fragment,
  type LineFragment,
  LITERAL_MINUS_MAX_BYTES,
  type LiteralFragment,
} from "./src/wire/encoder.ts";
export { type Authenticator, cramMd5Auth, plainAuth, xoauth2Auth } from "./src/auth.ts";
export { IMAP4_stream, type StreamOptions } from "./src/client/imap4_stream.ts";
export type {
  BodyStream,
  FetchedBody,
  FetchResponse,
  FetchStreamOptions,
} from "./src/client/streaming_run.ts";

// SASL mechanisms beyond imaplib's (SCRAM, OAUTHBEARER) and the mechanism choice.
export * from "./src/auth/mod.ts";

// ID (RFC 2971), parsed with the typed layer's tokenizer.
export { id, type IdFields } from "./src/typed/id.ts";

// COMPRESS=DEFLATE (RFC 4978): the rest of the connection compressed both ways.
export { compress } from "./src/typed/client/compress.ts";

// The typed layer, beyond imaplib: decoded, typed values (DESIGN.md, "the typed layer").
export * from "./src/typed/mod.ts";
