/**
 * Reading and writing a transport's bytes: through its direct `read()` / `write()` when it has
 * them, else BYOB into the caller's buffer when its readable is a byte stream, else the chunks
 * the stream makes, and its writable's writer.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";

/** A reader of a transport's chunks: into a given buffer when the transport allows it. */
export interface ChunkReader {
  /** Whether reads land in the buffer passed to `read` (which may then be reused). */
  readonly byob: boolean;
  /**
   * Reads into `view` when `byob` (a byte stream transfers its buffer: use the returned view);
   * else the next chunk.
   */
  read(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
  releaseLock(): void;
}

/** A writer of a transport's bytes, one write at a time. */
export interface ChunkWriter {
  write(bytes: Uint8Array): Promise<void>;
  abort(): Promise<void>;
  releaseLock(): void;
}

const END: ReadableStreamReadResult<Uint8Array> = { done: true, value: undefined };
const settled = (): Promise<void> => Promise.resolve();

export function chunkReader(transport: Transport): ChunkReader {
  if (transport.read) {
    const read = transport.read.bind(transport);
    return {
      byob: true,
      read: (view) =>
        read(view).then((n): ReadableStreamReadResult<Uint8Array> =>
          n === null ? END : { done: false, value: view.subarray(0, n) }
        ),
      // Closing the transport ends a read in flight.
      cancel: settled,
      releaseLock: () => {},
    };
  }
  const readable = transport.readable;
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = readable.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: read the chunks it makes.
  }
  if (byob) {
    const reader = byob;
    return {
      byob: true,
      read: (view) => reader.read(view) as Promise<ReadableStreamReadResult<Uint8Array>>,
      cancel: () => reader.cancel(),
      releaseLock: () => reader.releaseLock(),
    };
  }
  const reader = readable.getReader();
  return {
    byob: false,
    read: () => reader.read(),
    cancel: () => reader.cancel(),
    releaseLock: () => reader.releaseLock(),
  };
}

export function chunkWriter(transport: Transport): ChunkWriter {
  if (transport.write) {
    const write = transport.write.bind(transport);
    // One write at a time, in order, as a stream's writer would queue them; a failed write
    // fails the ones queued behind it.
    let tail: Promise<void> = Promise.resolve();
    return {
      write: (bytes) => (tail = tail.then(() => write(bytes))),
      abort: settled,
      releaseLock: () => {},
    };
  }
  return transport.writable.getWriter();
}
