// The Node/Bun transport's read pacing, on a real loopback socket (node:net, on Deno and Bun
// alike): under bulk traffic the socket pauses after every chunk, so the runtime's loop does not
// read on ahead of the library while it yields (Bun read 512 KiB chunks back to back and ran
// no timer in between); a small reply to a waiting reader leaves it flowing (pausing an idle
// connection after each notification cost Bun ~10 KiB of RSS per connection); a chunk that finds
// no reader pauses it. Pauses of the client's socket are counted through net.Socket's prototype.

import assert from "node:assert/strict";
import net from "node:net";
import { test } from "./_harness.ts";
import { openNode } from "../src/transport/node.ts";

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("node transport: bulk chunks pause the socket even for a waiting reader; a small reply to a waiting reader does not; one nobody waits for does", async () => {
  const server = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const pause = net.Socket.prototype.pause;
  let pauses = 0;
  net.Socket.prototype.pause = function (this: net.Socket) {
    if (this.remotePort === port) pauses++;
    return pause.call(this);
  };
  let transport: Awaited<ReturnType<typeof openNode>> | undefined;
  let peer: net.Socket | undefined;
  try {
    transport = await openNode({ hostname: "127.0.0.1", port });
    peer = await accepted;
    const read = transport.read!.bind(transport);
    const view = new Uint8Array(512 * 1024);

    // A notification for the reader that waits for it: the socket keeps flowing.
    let before = pauses;
    let pending = read(view);
    peer.write("* 1 EXISTS\r\n");
    assert.equal(await pending, 12);
    assert.equal(pauses, before, "a small reply to a waiting reader paused the socket");

    // One that arrives while nobody reads: queued, and the socket paused.
    before = pauses;
    peer.write("* 2 EXISTS\r\n");
    await until(() => pauses > before, "the pause of an unread chunk");
    assert.equal(await read(view), 12);

    // Bulk: a 32 KiB chunk to a waiting reader pauses the socket all the same (one write,
    // which loopback delivers as one chunk: with a later chunk the pause could come from that).
    before = pauses;
    pending = read(view);
    peer.write(new Uint8Array(32 * 1024).fill(0x78));
    const first = (await pending) ?? 0;
    assert.ok(first >= 4096, `first chunk of a bulk write: ${first} bytes`);
    assert.ok(pauses > before, "a bulk chunk to a waiting reader did not pause the socket");
    // Then 1 MiB more: every byte arrives, in order, over paused and resumed reads.
    peer.write(new Uint8Array(1024 * 1024).fill(0x79));
    let total: number = first;
    const end = 32 * 1024 + 1024 * 1024;
    while (total < end) {
      const n = await read(view);
      assert.ok(n !== null && n > 0);
      for (let i = 0; i < n; i++) {
        assert.equal(view[i], total + i < 32 * 1024 ? 0x78 : 0x79, `byte ${total + i}`);
      }
      total += n;
    }
    assert.equal(total, end);
  } finally {
    net.Socket.prototype.pause = pause;
    transport?.close();
    peer?.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
