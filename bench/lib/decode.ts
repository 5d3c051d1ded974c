// The decoding loop the in-memory benchmarks share: a stream cut into socket-sized chunks, fed
// to one FrameDecoder, each frame optionally parsed.

import { type Frame, FrameDecoder, parseFrame } from "../../mod.ts";

/** What a socket read delivers at a time on loopback. */
export const CHUNK_BYTES = 65_536;

/** `stream` cut into chunks of `CHUNK_BYTES` (each its own copy, as a socket read gives). */
export function chunked(stream: Uint8Array): Uint8Array[] {
  const chunks = [];
  for (let at = 0; at < stream.length; at += CHUNK_BYTES) {
    chunks.push(stream.slice(at, at + CHUNK_BYTES));
  }
  return chunks;
}

/** Decodes every chunk, parsing each frame when `parse`; returns the number of frames. */
export function decodeAll(chunks: Uint8Array[], parse: boolean): number {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  let count = 0;
  for (const chunk of chunks) {
    decoder.push(chunk, frames);
    if (parse) { for (const frame of frames) parseFrame(frame); }
    count += frames.length;
    frames.length = 0;
  }
  decoder.finish();
  return count;
}
