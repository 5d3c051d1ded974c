// transferDecoder() throughput (downloadPart()'s client-side decoding on servers without
// BINARY): 16 MiB of random bytes as base64 in 76-character lines, and a German text as
// quoted-printable, pushed through the decoder stream in 256 KiB chunks (what a BYOB read of
// fetchBody() delivers at most). Run with `deno task bench` (or `deno bench bench/transfer_bench.ts`).

import { transferDecoder } from "../mod.ts";

const CHUNK_BYTES = 256 * 1024;

function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65536)));
  }
  return out;
}

function base64Lines(bytes: Uint8Array): Uint8Array {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return new TextEncoder().encode(btoa(binary).match(/.{1,76}/g)!.join("\r\n") + "\r\n");
}

const BASE64 = base64Lines(randomBytes(16 * 1024 * 1024));
const QP = new TextEncoder().encode(
  "Gr=C3=BC=C3=9Fe aus K=C3=B6ln, ein sehr langer Satz mit einem weichen =\r\n" +
    "Zeilenumbruch und =3D Zeichen.   \r\n",
);
const QP_TEXT = (() => {
  const out = new Uint8Array(4 * 1024 * 1024);
  for (let at = 0; at < out.length; at += QP.length) {
    out.set(QP.subarray(0, Math.min(QP.length, out.length - at)), at);
  }
  return out;
})();

async function decodeAll(encoding: string, data: Uint8Array): Promise<number> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < data.length; at += CHUNK_BYTES) {
        controller.enqueue(data.subarray(at, at + CHUNK_BYTES));
      }
      controller.close();
    },
  });
  let n = 0;
  for await (const chunk of source.pipeThrough(transferDecoder(encoding)!)) n += chunk.length;
  return n;
}

Deno.bench(`transferDecoder: base64, ${(BASE64.length / 1e6).toFixed(1)} MB`, async () => {
  await decodeAll("base64", BASE64);
});

Deno.bench(
  `transferDecoder: quoted-printable, ${(QP_TEXT.length / 1e6).toFixed(1)} MB`,
  async () => {
    await decodeAll("quoted-printable", QP_TEXT);
  },
);
