// Bytes in pieces the way the tests need them: chunks joined into one array, and a body stream
// read to its end through one reused BYOB buffer, as a caller with bounded memory does.

/** `chunks` joined into one array (the chunk itself when there is only one). */
export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

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
