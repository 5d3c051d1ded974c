// Diagnostic: how RSS and V8's heap spaces grow as idle connections are added, counted in steps,
// in one process (what the (h) workload reports as one figure over N). Needs a running test
// Dovecot: `deno task dovecot > fixture.json`, then
//   deno run -A --v8-flags=--expose-gc bench/idle_steps.ts fixture.json [25,50,75,100]
// Connections log in as the fixture's users in turn (it allows 100 connections per user and
// address, `mail_max_userip_connections`), SELECT INBOX and IDLE; 20 connect at a time.

import v8 from "node:v8";
import { IMAP4 } from "../mod.ts";

const [fixturePath, countsArg] = Deno.args;
if (!fixturePath) throw new Error("usage: idle_steps.ts FIXTURE_JSON [COUNTS]");
const { imapPort, users } = JSON.parse(Deno.readTextFileSync(fixturePath)) as {
  imapPort: number;
  users: { user: string; password: string }[];
};
const counts = (countsArg ?? "25,50,75,100").split(",").map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function show(label: string): void {
  const m = Deno.memoryUsage();
  const kib = (bytes: number) => Math.round(bytes / 1024);
  const spaces = v8.getHeapSpaceStatistics();
  const space = (name: string) => kib(spaces.find((s) => s.space_name === name)?.space_size ?? 0);
  console.log(
    `${label}: RSS ${kib(m.rss)} KiB, heap used ${kib(m.heapUsed)} KiB, external ` +
      `${kib(m.external)} KiB, new space ${space("new_space")} KiB, old space ` +
      `${space("old_space")} KiB`,
  );
}

const first = await IMAP4.connect("127.0.0.1", imapPort);
await first.login(users[0].user, users[0].password);
await settle();
show("0 (one logged-in connection)");
const idling: { M: IMAP4; idler: Awaited<ReturnType<IMAP4["idle"]>> }[] = [];
let next = 0;
for (const end of counts) {
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < end) {
      const { user, password } = users[next++ % users.length];
      const M = await IMAP4.connect("127.0.0.1", imapPort);
      await M.login(user, password);
      await M.select("INBOX");
      idling.push({ M, idler: await M.idle() });
    }
  }));
  await settle();
  show(`${end}`);
}
for (const { M, idler } of idling) {
  await idler[Symbol.asyncDispose]();
  await M.logout();
}
await first.logout();
