/**
 * COMPRESS=DEFLATE (RFC 4978) as a transport: the same connection with raw DEFLATE (RFC 1951)
 * both ways, made from another transport at a response boundary.
 *
 * Sending: every write is compressed and sync-flushed (RFC 4978 section 4: the peer must see
 * each command at once), with `CompressionStream("deflate-raw")` where it emits each written
 * chunk at once, else with `node:zlib`. Measured on 2026-12-05: Deno 2.9.6's CompressionStream
 * sync-flushes every write; Bun 1.4.5's, Node 20's and workerd 1.20261117's hold all output
 * until the stream is closed (useless for a conversation), so there `node:zlib`'s
 * `createDeflateRaw()` and `flush(Z_SYNC_FLUSH)` do it (on workerd with `nodejs_compat`). Which one is used is measured once per process (one byte
 * written, output looked for before a 0 ms timer), not guessed from the runtime's name.
 *
 * Receiving: `DecompressionStream("deflate-raw")`, which yields output as input arrives on all
 * three runtimes. One compressed byte can inflate to about 1,032 bytes, and Deno's inflater
 * returns all of a chunk's output at once (50 MB for 50 KB of zeros, measured), so compressed
 * input goes to it in pieces of at most {@linkcode INFLATE_STEP_BYTES}, each pulled when the
 * reader wants more: the inflater runs at most about 8 MiB ahead of the decoder, whose limits
 * (`maxLineBytes`, `maxLiteralBytes`, `maxResponseBytes`) then bound the memory of a response
 * exactly as on an uncompressed connection.
 *
 * @module
 */

import { IMAP4Error } from "../errors.ts";
import type { Transport } from "./transport.ts";

/** Most compressed bytes handed to the inflater at once (see the module's documentation). */
export const INFLATE_STEP_BYTES = 8 * 1024;

// Whether CompressionStream("deflate-raw") sync-flushes each write: measured once.
let webDeflateFlushes: Promise<boolean> | undefined;

function measureWebDeflate(): Promise<boolean> {
  return webDeflateFlushes ??= (async () => {
    if (typeof CompressionStream !== "function") return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stream = new CompressionStream("deflate-raw");
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    try {
      const read = reader.read();
      await writer.write(new Uint8Array([0x2a]));
      const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 0));
      const first = await Promise.race([read, late]);
      return first !== null && !first.done && first.value.length > 0;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => {});
      writer.abort().catch(() => {});
    }
  })();
}

/**
 * Which compressor `compressTransport` uses on this runtime: `"CompressionStream"` where it
 * sync-flushes each write (Deno 2.9), else `"node:zlib"` (Bun 1.4, Node 20).
 */
export async function deflateImplementation(): Promise<"CompressionStream" | "node:zlib"> {
  return await measureWebDeflate() ? "CompressionStream" : "node:zlib";
}

type Zlib = typeof import("node:zlib");
// A transform of bytes (CompressionStream's writable is typed for any BufferSource).
type ByteTransform = { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };

// A deflater on node:zlib: each chunk written, then flushed with Z_SYNC_FLUSH; the output of
// the chunk is complete when the flush calls back (measured on Deno, Bun and Node).
function zlibDeflater(zlib: Zlib): ByteTransform {
  const deflate = zlib.createDeflateRaw();
  const out: Uint8Array[] = [];
  let failure: unknown = null;
  deflate.on("data", (chunk: Uint8Array) => out.push(chunk));
  deflate.on("error", (error: unknown) => failure ??= error);
  return new TransformStream({
    transform(chunk, controller) {
      return new Promise<void>((resolve, reject) => {
        deflate.write(chunk);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          if (failure) return reject(failure);
          for (const piece of out.splice(0)) {
            controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength));
          }
          resolve();
        });
      });
    },
    flush: () => void deflate.close(),
    cancel: () => void deflate.close(),
  });
}

/**
 * Checks that this runtime can compress a connection, before COMPRESS is sent (once the server
 * has said OK it compresses, and a client that cannot would have to close the connection).
 * @throws {IMAP4Error} without `DecompressionStream`, or without both a `CompressionStream`
 *   that sync-flushes each write and `node:zlib`.
 */
export async function checkCompressor(): Promise<void> {
  await deflater();
}

async function deflater(useZlib = false): Promise<() => ByteTransform> {
  if (typeof DecompressionStream !== "function") {
    throw new IMAP4Error("COMPRESS=DEFLATE needs DecompressionStream, which this runtime lacks");
  }
  if (!useZlib && await measureWebDeflate()) {
    return () => new CompressionStream("deflate-raw") as unknown as ByteTransform;
  }
  let zlib: Zlib;
  try {
    zlib = await import("node:zlib");
  } catch (error) {
    throw new IMAP4Error(
      "COMPRESS=DEFLATE needs a compressor that flushes each command: this runtime's " +
        "CompressionStream does not, and it has no node:zlib",
      { cause: error },
    );
  }
  return () => zlibDeflater(zlib);
}

// Whether the server's side of the connection has ended (EOF).
interface Input {
  ended: boolean;
}

// Compressed bytes in pieces of at most INFLATE_STEP_BYTES, the bytes received before the
// switch first.
function steps(received: Uint8Array, input: Input): TransformStream<Uint8Array, Uint8Array> {
  const split = (chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) => {
    for (let at = 0; at < chunk.length; at += INFLATE_STEP_BYTES) {
      controller.enqueue(chunk.subarray(at, at + INFLATE_STEP_BYTES));
    }
  };
  return new TransformStream({
    start: (controller) => split(received, controller),
    transform: split,
    flush: () => void (input.ended = true),
  });
}

// The inflater, with errors that say whose data was bad. When the server hung up, the stream
// just ends (the connection reports EOF): a DEFLATE stream cut at a flush point is not invalid
// data (Bun's inflater calls it "unexpected end of file", Deno's says nothing).
function inflater(input: Input): ByteTransform {
  const inflate = new DecompressionStream("deflate-raw") as unknown as ByteTransform;
  const reader = inflate.readable.getReader();
  return {
    writable: inflate.writable,
    readable: new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          if (input.ended) return controller.close();
          controller.error(
            new Error(`invalid compressed data from the server (RFC 4978): ${error}`, {
              cause: error,
            }),
          );
        }
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 }),
  };
}

/**
 * Wraps `transport` in DEFLATE both ways (RFC 4978), right after the tagged OK of
 * `COMPRESS DEFLATE`. Every write to the returned transport is compressed and sync-flushed;
 * its readable yields the inflated bytes. Closing it closes `transport`. It cannot start TLS
 * (RFC 4978 section 3: TLS goes beneath compression, never above it).
 *
 * @param transport The connection so far; its streams must be unlocked.
 * @param received Bytes the server sent after that OK and the caller already read: the start
 *   of the compressed stream.
 * @param options `useZlib`: compress with `node:zlib` even where `CompressionStream` would do
 *   (for tests of that path).
 * @returns The compressed transport.
 * @throws {IMAP4Error} if the runtime cannot (see {@linkcode checkCompressor}).
 */
export async function compressTransport(
  transport: Transport,
  received: Uint8Array,
  options: { useZlib?: boolean } = {},
): Promise<Transport> {
  const deflate = (await deflater(options.useZlib))();
  deflate.readable.pipeTo(transport.writable).catch(() => {});
  const input = { ended: false };
  const readable = transport.readable.pipeThrough(steps(received, input))
    .pipeThrough(inflater(input));
  return {
    readable,
    writable: deflate.writable,
    close: () => transport.close(),
  };
}
