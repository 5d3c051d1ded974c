// Connection options over a real loopback socket: every deadline goes through the injected
// Clock, connecting included.

import assert from "node:assert/strict";
import { type Clock, IMAP4, systemClock } from "../mod.ts";
import { denoOnly, test } from "./_harness.ts";

/** A Clock that records the timers set and cleared through it; else the system clock. */
class SpyClock implements Clock {
  readonly timers: { ms: number; handle: unknown; clearedAtMs?: number }[] = [];
  now(): number {
    return systemClock.now();
  }
  setTimer(fn: () => void, ms: number): unknown {
    const handle = systemClock.setTimer(fn, ms);
    this.timers.push({ ms, handle });
    return handle;
  }
  clearTimer(handle: unknown): void {
    const timer = this.timers.find((t) => t.handle === handle);
    if (timer) timer.clearedAtMs = performance.now();
    systemClock.clearTimer(handle);
  }
}

/**
 * A loopback server that greets `greetingDelayMs` after accepting, then answers every command
 * with OK (LOGOUT with BYE too); Deno.listen. `body` gets the port and the time the greeting
 * was sent.
 */
async function withGreetingServer(
  greetingDelayMs: number,
  body: (port: number, greetedAtMs: () => number) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let greetedAtMs = NaN;
  const serving = (async () => {
    const conn = await listener.accept();
    const writer = conn.writable.getWriter();
    const write = (text: string) => writer.write(new TextEncoder().encode(text));
    await new Promise((resolve) => setTimeout(resolve, greetingDelayMs));
    greetedAtMs = performance.now();
    await write("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    let text = "";
    for await (const chunk of conn.readable) {
      text += new TextDecoder().decode(chunk);
      for (let m; (m = /^(\S+) (\S+)[^\r]*\r\n/.exec(text));) {
        text = text.slice(m[0].length);
        if (m[2] === "LOGOUT") await write(`* BYE bye\r\n${m[1]} OK done\r\n`);
        else await write(`${m[1]} OK done\r\n`);
      }
    }
  })();
  try {
    await body((listener.addr as Deno.NetAddr).port, () => greetedAtMs);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
}

test("options: the connect timeout runs on the injected clock", async () => {
  await withGreetingServer(100, async (port, greetedAtMs) => {
    const clock = new SpyClock();
    const M = await IMAP4.connect("127.0.0.1", port, { timeout: 7, clock });
    try {
      // The first timer bounds connecting: set through the clock and cleared once connected,
      // before the server sent its greeting. (The next one bounds the wait for the greeting.)
      const [connecting] = clock.timers;
      assert.equal(connecting.ms, 7000);
      assert.ok(connecting.clearedAtMs! < greetedAtMs(), "connect timer not on the clock");
    } finally {
      await M.logout();
    }
  });
}, denoOnly);

test("options: a caCerts entry that is a file name, not PEM text, is a TypeError with a hint", () => {
  assert.throws(
    () => new IMAP4({ tls: { caCerts: ["/etc/ssl/private-ca.pem"] } }),
    (e: Error) =>
      e instanceof TypeError && /caCerts\[0\] is not PEM text but looks like a file name/.test(
        e.message,
      ) && /readTextFile/.test(e.message),
  );
  assert.throws(() => new IMAP4({ tls: { caCerts: ["garbage"] } }), /is not PEM text: expected/);
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  assert.ok(new IMAP4({ tls: { caCerts: [pem] } }) instanceof IMAP4);
});
