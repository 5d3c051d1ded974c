// COMPRESS=DEFLATE (RFC 4978) against scripted servers: refusals, the switch at the response
// boundary, commands and responses compressed both ways, and a decompression bomb. The real
// Dovecot is in dovecot_compress_test.ts.

import assert from "node:assert/strict";
import { memoryUsage } from "node:process";
import zlib from "node:zlib";
import {
  compress,
  IMAP4CancelledError,
  IMAP4CommandError,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4LimitError,
} from "../mod.ts";
import { compressTransport, deflateImplementation } from "../src/transport/compress.ts";
import { test } from "./_harness.ts";
import { type ClientCommand, connectScripted, type ServerSide, sleep } from "./_scripted.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** Raw DEFLATE of `text`, sync-flushed: a piece that can follow any other such piece. */
function deflated(text: string | Uint8Array): Uint8Array {
  return new Uint8Array(
    zlib.deflateRawSync(typeof text === "string" ? encoder.encode(text) : text, SYNC),
  );
}

/**
 * The server's side after its tagged OK of COMPRESS: reads the client's compressed commands
 * (everything from `start` inflated again each time), answers compressed.
 */
class CompressedPeer {
  #consumed = 0;
  constructor(readonly server: ServerSide, readonly start: number) {}

  /** All the client sent since the switch, inflated. */
  text(): string {
    const raw = this.server.received.subarray(this.start);
    return raw.length ? latin1.decode(zlib.inflateRawSync(raw, SYNC)) : "";
  }

  async readCommand(timeoutMs = 5000): Promise<ClientCommand | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text().slice(this.#consumed);
      const end = rest.indexOf("\r\n");
      if (end >= 0) {
        this.#consumed += end + 2;
        const [tag, name = "", ...args] = rest.slice(0, end).split(" ");
        return { tag, name: name.toUpperCase(), args: args.join(" ") };
      }
      if (this.server.closedByClient) return null;
      if (Date.now() > deadline) throw new Error("no compressed command from the client");
      await sleep(2);
    }
  }

  /** Skips a literal of `size` bytes and the CRLF after the command line it ends. */
  async skipLiteral(size: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.text().length < this.#consumed + size) {
      if (Date.now() > deadline) throw new Error("no literal from the client");
      await sleep(2);
    }
    this.#consumed += size;
    await this.readCommand();
  }

  send(text: string): void {
    this.server.send(deflated(text));
  }

  /** Answers commands compressed until LOGOUT. */
  async serve(): Promise<void> {
    for (;;) {
      const c = await this.readCommand();
      if (!c) return;
      const literal = /\{(\d+)\}$/.exec(c.args);
      if (literal) {
        this.send("+ go ahead\r\n");
        await this.skipLiteral(Number(literal[1]));
      }
      if (c.name === "LOGOUT") {
        this.send(`* BYE bye\r\n${c.tag} OK LOGOUT completed\r\n`);
        this.server.end();
        return;
      }
      if (c.name === "SELECT") this.send(`* 7 EXISTS\r\n${c.tag} OK [READ-WRITE] done\r\n`);
      else if (c.name === "COMPRESS") {
        this.send(`${c.tag} NO [COMPRESSIONACTIVE] DEFLATE active via COMPRESS\r\n`);
      } else this.send(`${c.tag} OK ${c.name} completed\r\n`);
    }
  }
}

test("compress: no COMPRESS=DEFLATE capability: IMAP4Error, nothing sent, still usable", async () => {
  const { M, server, done } = await connectScripted({ state: "AUTH" });
  await assert.rejects(compress(M), (e: Error) => {
    assert.ok(e instanceof IMAP4Error && !(e instanceof IMAP4CommandError));
    assert.match(e.message, /COMPRESS=DEFLATE is not supported by the server/);
    return true;
  });
  assert.doesNotMatch(server.receivedText, /COMPRESS/);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("compress: before login: illegal state, nothing sent", async () => {
  const { M, server, done } = await connectScripted({ capabilities: "COMPRESS=DEFLATE" });
  await assert.rejects(compress(M), /command COMPRESS illegal in state NONAUTH/);
  assert.doesNotMatch(server.receivedText, /COMPRESS/);
  await done();
});

test("compress: NO [COMPRESSIONACTIVE]: IMAP4CommandError with the code; stays uncompressed", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
    handlers: {
      COMPRESS: (s, c) => s.line(`${c.tag} NO [COMPRESSIONACTIVE] TLS compresses already`),
    },
  });
  await assert.rejects(compress(M), (e: Error) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.status, "NO");
    assert.equal(e.code?.code, "COMPRESSIONACTIVE");
    return true;
  });
  assert.equal((await M.noop())[0], "OK");
  assert.match(server.receivedText, / COMPRESS DEFLATE\r\n.* NOOP\r\n/s);
  await done();
});

test("compress: BAD: IMAP4CommandError; stays uncompressed", async () => {
  const { M, done } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
    handlers: { COMPRESS: (s, c) => s.line(`${c.tag} BAD unknown algorithm`) },
  });
  await assert.rejects(compress(M), (e: Error) => e instanceof IMAP4CommandError);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

// The handler of COMPRESS that switches: `after` is sent in the same chunk as the tagged OK
// (compressed bytes right after its CRLF, RFC 4978 section 3).
function switching(after = "") {
  let peer!: CompressedPeer;
  const handler = (s: ServerSide, c: ClientCommand) => {
    const ok = encoder.encode(`${c.tag} OK DEFLATE active\r\n`);
    const rest = after ? deflated(after) : new Uint8Array(0);
    const chunk = new Uint8Array(ok.length + rest.length);
    chunk.set(ok);
    chunk.set(rest, ok.length);
    s.send(chunk);
    peer = new CompressedPeer(s, s.received.length);
    return peer.serve().then(() => false);
  };
  return { handler, peer: () => peer };
}

for (const byteStream of [false, true]) {
  test(`compress: both ways compressed from the response boundary; twice refused (byteStream ${byteStream})`, async () => {
    const sw = switching("* 3 RECENT\r\n");
    const logs: string[] = [];
    const { M, server, serving } = await connectScripted({
      state: "AUTH",
      byteStream,
      capabilities: "COMPRESS=DEFLATE STARTTLS",
      handlers: { COMPRESS: sw.handler },
      client: { onLog: (entry) => logs.push(entry.event) },
    });
    await compress(M);
    assert.ok(logs.includes("compress"));
    const [type, data] = await M.select("INBOX");
    assert.equal(type, "OK");
    assert.deepEqual(data.map((d) => latin1.decode(d as Uint8Array)), ["7"]);
    // The bytes sent together with the tagged OK were inflated, not lost or taken as plain text.
    assert.deepEqual(M.response("RECENT")[1].map((d) => latin1.decode(d as Uint8Array)), ["3"]);
    // A literal, compressed too (8 KiB of text, far less on the wire).
    const body = "Subject: x\r\n\r\n" + "all work and no play\r\n".repeat(400);
    const before = server.received.length;
    assert.equal((await M.append("INBOX", null, null, body))[0], "OK");
    assert.ok(server.received.length - before < body.length / 10);
    assert.ok(sw.peer().text().includes(body));
    // Nothing after the switch went in clear.
    const clear = latin1.decode(server.received.subarray(sw.peer().start));
    assert.doesNotMatch(clear, /SELECT|APPEND|work and no play/);
    await assert.rejects(compress(M), /already compressed/);
    // RFC 4978 section 3: TLS goes beneath compression; STARTTLS is illegal after login anyway.
    await assert.rejects(M.starttls(), /command STARTTLS illegal in state SELECTED/);
    assert.equal((await M.noop())[0], "OK");
    await M.logout();
    await serving;
    assert.match(
      sw.peer().text(),
      /SELECT INBOX\r\n.*APPEND INBOX \{8814\+?\}\r\n.*NOOP\r\n.*LOGOUT\r\n/s,
    );
  });
}

test("compress: bytes that are not DEFLATE end the connection with IMAP4ConnectionError", async () => {
  const { M } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
    handlers: {
      COMPRESS: (s, c) => {
        s.send(`${c.tag} OK DEFLATE active\r\n`, new Uint8Array([0xff, 0xff, 0xff, 0xff]));
        return false;
      },
    },
  });
  await compress(M);
  await assert.rejects(M.noop(), (e: Error) => {
    assert.ok(e instanceof IMAP4ConnectionError);
    assert.match(e.message, /invalid compressed data from the server/);
    return true;
  });
  await assert.rejects(M.noop(), IMAP4ConnectionError);
});

test("compress: a bomb (256 MiB of zeros in 256 KiB) ends with IMAP4LimitError, memory bounded", async () => {
  // 1 MiB of zeros deflates to about 1 KiB; pieces sync-flushed with a fresh compressor follow
  // each other as one stream, so 256 of them inflate to 256 MiB, sent in one chunk.
  const piece = deflated(new Uint8Array(1 << 20));
  const bomb = new Uint8Array(piece.length * 256);
  for (let i = 0; i < 256; i++) bomb.set(piece, i * piece.length);
  const { M, server } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
    client: { maxLineBytes: 4 << 20 },
    handlers: {
      COMPRESS: (s, c) => {
        s.line(`${c.tag} OK DEFLATE active`);
        s.send(bomb);
        return false;
      },
    },
  });
  await compress(M);
  const rssBefore = memoryUsage().rss;
  await assert.rejects(M.noop(), (e: Error) => {
    assert.ok(e instanceof IMAP4LimitError);
    assert.equal(e.limitName, "maxLineBytes");
    return true;
  });
  const grownBytes = memoryUsage().rss - rssBefore;
  assert.ok(grownBytes < 96 << 20, `RSS grew by ${grownBytes} bytes`);
  assert.ok(server.closedByClient);
});

test("compress: the compressor measured: CompressionStream on Deno, node:zlib on Bun and Node", async () => {
  // Deno's CompressionStream sync-flushes every write; Bun's and Node's hold output until the
  // stream closes, which would leave every command unsent.
  const expected = "Deno" in globalThis ? "CompressionStream" : "node:zlib";
  assert.equal(await deflateImplementation(), expected);
});

test("compress: the server hanging up mid-stream is EOF, not invalid data", async () => {
  const { M } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
    handlers: {
      COMPRESS: (s, c) => {
        s.line(`${c.tag} OK DEFLATE active`);
        s.send(deflated("* OK still here\r\n"));
        s.end();
        return false;
      },
    },
  });
  await compress(M);
  await assert.rejects(M.noop(), (e: Error) => {
    assert.ok(e instanceof IMAP4ConnectionError);
    assert.equal(e.message, "socket error: EOF");
    return true;
  });
});

for (const useZlib of [false, true]) {
  test(`compress: each write is flushed at once, both ways in step (useZlib ${useZlib})`, async () => {
    // The transport alone, over an in-memory pair: every write's bytes must inflate to all of
    // it before the next write (a sync flush), whichever compressor; and what the server
    // sends in pieces comes out as it arrives.
    const toServer: Uint8Array[] = [];
    let fromServer!: ReadableStreamDefaultController<Uint8Array>;
    const inner = {
      readable: new ReadableStream<Uint8Array>({ start: (c) => void (fromServer = c) }),
      writable: new WritableStream<Uint8Array>({ write: (chunk) => void toServer.push(chunk) }),
      close: () => {},
    };
    const t = await compressTransport(inner, new Uint8Array(0), { useZlib });
    const writer = t.writable.getWriter();
    const reader = t.readable.getReader();
    const sent = () => {
      const all = new Uint8Array(toServer.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of toServer) all.set(c, (at += c.length) - c.length);
      return latin1.decode(zlib.inflateRawSync(all, SYNC));
    };
    const settle = () => sleep(5);
    for (const [i, line] of ["a1 NOOP\r\n", "a2 SELECT INBOX\r\n", "x".repeat(70_000)].entries()) {
      await writer.write(encoder.encode(line));
      await settle();
      assert.ok(sent().endsWith(line), `write ${i} not flushed`);
      const reply = `a${i} OK done ${i}\r\n`;
      fromServer.enqueue(deflated(reply));
      const { value } = await reader.read();
      assert.equal(latin1.decode(value), reply);
    }
    await writer.close();
    fromServer.close();
    await reader.cancel();
  });
}

test("compress: an aborted signal: IMAP4CancelledError, nothing sent, still uncompressed", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    capabilities: "COMPRESS=DEFLATE",
  });
  const signal = AbortSignal.abort(new Error("stop"));
  await assert.rejects(compress(M, { signal }), IMAP4CancelledError);
  assert.doesNotMatch(server.receivedText, /COMPRESS/);
  assert.equal((await M.noop())[0], "OK");
  await done();
});
