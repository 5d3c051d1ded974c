/**
 * Reading and writing a transport's bytes: through its direct `readChunk()` (the transport's own
 * buffers) or `read()` (into the caller's) and `write()` when it has them, else BYOB into the
 * caller's buffer when its readable is a byte stream, else the chunks the stream makes, and its
 * writable's writer.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";

/** A reader of a transport's chunks: into a given buffer when the transport allows it. */
export interface ChunkReader {
  /** Whether reads land in the buffer passed to `read` (which may then be reused). */
  readonly byob: boolean;
  /**
   * Whether the chunks `read` returns are the library's to keep: the transport never touches
   * their memory again (`Transport.readChunk`), so decoded literals may be views of them.
   */
  readonly given: boolean;
  /**
   * Reads into `view` when `byob` (a byte stream transfers its buffer: use the returned view);
   * else the next chunk.
   */
  read(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Whether `readInto` can fill a given buffer (then `byob` or not). */
  readonly into: boolean;
  /** Reads into `view`, as `read` does when `byob`; only when `into`. */
  readInto(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
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

// Classes rather than object literals of closures: an idle connection keeps its reader and
// writer, and methods on a prototype cost it nothing each (workload (h)).

class DirectReader implements ChunkReader {
  readonly byob = true;
  readonly given = false;
  readonly into = true;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  read(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.#transport.read!(view).then((n): ReadableStreamReadResult<Uint8Array> =>
      n === null ? END : { done: false, value: view.subarray(0, n) }
    );
  }

  readInto(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.read(view);
  }

  // Closing the transport ends a read in flight.
  cancel(): Promise<void> {
    return Promise.resolve();
  }

  releaseLock(): void {}
}

// The transport's own chunks (readChunk()), and its read() for a consumer's buffer if it has one.
class ChunkTakingReader implements ChunkReader {
  readonly byob = false;
  readonly given = true;
  readonly into: boolean;
  readonly #transport: Transport;
  readonly #direct: DirectReader;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.#direct = new DirectReader(transport);
    this.into = transport.read !== undefined;
  }

  read(_view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.#transport.readChunk!().then((chunk): ReadableStreamReadResult<Uint8Array> =>
      chunk === null ? END : { done: false, value: chunk }
    );
  }

  readInto(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.#direct.read(view);
  }

  // Closing the transport ends a read in flight.
  cancel(): Promise<void> {
    return Promise.resolve();
  }

  releaseLock(): void {}
}

class StreamReader implements ChunkReader {
  readonly byob: boolean;
  readonly given = false;
  readonly #reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;

  constructor(readable: ReadableStream<Uint8Array>) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = readable.getReader({ mode: "byob" });
    } catch {
      // Not a byte stream: read the chunks it makes.
    }
    this.byob = byob !== null;
    this.into = this.byob;
    this.#reader = byob ?? readable.getReader();
  }

  readonly into: boolean;

  readInto(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.read(view);
  }

  read(view: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.byob
      ? (this.#reader as ReadableStreamBYOBReader).read(view) as Promise<
        ReadableStreamReadResult<Uint8Array>
      >
      : (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read();
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }

  releaseLock(): void {
    this.#reader.releaseLock();
  }
}

// One write at a time, in order, as a stream's writer would queue them; a failed write fails
// the ones queued behind it.
class DirectWriter implements ChunkWriter {
  readonly #transport: Transport;
  #tail: Promise<void> = Promise.resolve();

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#tail = this.#tail.then(() => this.#transport.write!(bytes));
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  releaseLock(): void {}
}

export function chunkReader(transport: Transport): ChunkReader {
  if (transport.readChunk) return new ChunkTakingReader(transport);
  return transport.read ? new DirectReader(transport) : new StreamReader(transport.readable);
}

export function chunkWriter(transport: Transport): ChunkWriter {
  return transport.write ? new DirectWriter(transport) : transport.writable.getWriter();
}
