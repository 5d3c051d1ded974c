/**
 * Reading a transport's chunks: BYOB into the caller's buffer when the stream is a byte stream,
 * else the chunks the stream makes.
 *
 * @module
 */

/** A reader of a transport's chunks: BYOB into a given buffer when the stream allows it. */
export interface ChunkReader {
  /** Whether reads land in the buffer passed to `read` (which may then be reused). */
  readonly byob: boolean;
  /** Reads into `view` (transferring its buffer) on a BYOB reader; else the next chunk. */
  read(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
  releaseLock(): void;
}

export function chunkReader(readable: ReadableStream<Uint8Array>): ChunkReader {
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
