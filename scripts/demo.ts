// The runner behind `deno task demo`: prepares Dovecot (downloaded and unpacked into the
// checkout's `.fixture/`, never installed), starts a private instance, seeds alice's INBOX with a
// few messages, runs examples/demo.ts against it, stops the server, then checks that the machine
// is as it was before (scripts/_machine.ts) and fails if it is not.

import { IMAP4 } from "../mod.ts";
import { type DovecotFixture, startDovecot } from "./dovecot.ts";
import { checkMachineUnchanged, snapshotMachine } from "./_machine.ts";

const root = new URL("..", import.meta.url).pathname;
const encoder = new TextEncoder();

function seedMessage(n: number, subject: string, from: string, date: string): Uint8Array {
  return encoder.encode(
    `From: ${from}\r\nTo: alice@example.org\r\nSubject: ${subject}\r\nDate: ${date}\r\n` +
      `Message-ID: <demo-${n}@example.org>\r\n\r\nDemo message ${n}.\r\n`,
  );
}

async function demo(fixture: DovecotFixture): Promise<number> {
  const alice = fixture.users[0];
  await fixture.seed(alice.user, "INBOX", [
    seedMessage(
      1,
      "Welcome to the imaplib demo",
      "Bob <bob@example.org>",
      "Mon, 30 Nov 2026 09:00:00 +0000",
    ),
    seedMessage(
      2,
      "Lunch on Friday?",
      "Carol <carol@example.org>",
      "Tue, 01 Dec 2026 08:15:00 +0000",
    ),
    seedMessage(
      3,
      "Quarterly report",
      "Dave <dave@example.org>",
      "Tue, 01 Dec 2026 10:30:00 +0000",
    ),
  ]);
  // One message read already, so that UNSEEN has something to tell.
  {
    await using M = await IMAP4.connect(fixture.host, fixture.imapPort, {
      starttls: true,
      tls: { caCerts: [fixture.caCertPem] },
    });
    await M.login(alice.user, alice.password);
    await M.select("INBOX");
    await M.store("1", "+FLAGS.SILENT", "\\Seen");
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}examples/demo.ts`],
    env: {
      IMAP_HOST: fixture.host,
      IMAP_PORT: String(fixture.imapPort),
      IMAP_USER: alice.user,
      IMAP_PASSWORD: alice.password,
      IMAP_CA_FILE: fixture.caCertPath,
      IMAP_TLS: "starttls",
    },
    stdin: "null",
  }).spawn();
  return (await child.status).code;
}

const machine = await snapshotMachine();
let code = 1;
try {
  const fixture = await startDovecot();
  try {
    code = await demo(fixture);
  } finally {
    await fixture.stop();
  }
} catch (e) {
  console.error(`[demo] ${e instanceof Error ? e.message : String(e)}`);
}
if (!await checkMachineUnchanged(machine, "deno task demo") && code === 0) code = 1;
Deno.exit(code);
