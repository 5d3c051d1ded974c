// Reading a body stream the way the streaming tests need: to its end, through one reused BYOB
// buffer, as a caller with bounded memory does.

import { concat } from "./_bytes.ts";

/** The whole of `body`, read through one reused BYOB buffer of `bufferBytes`. */
export async function readAll(
  body: ReadableStream<Uint8Array>,
  bufferBytes = 65_537,
): Promise<Uint8Array> {
  const reader = body.getReader({ mode: "byob" });
  const parts: Uint8Array[] = [];
  let buffer = new Uint8Array(bufferBytes);
  for (;;) {
    const { value, done } = await reader.read(buffer);
    // The read hands the buffer back in `value` (transferred), filled or empty.
    buffer = new Uint8Array(value!.buffer);
    if (done) break;
    parts.push(value.slice());
  }
  return concat(parts);
}
