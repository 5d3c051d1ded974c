// The examples in examples/ run as subprocesses against the real Dovecot fixture, each on
// mailboxes of its own (as bob, so that alice's INBOX stays the demo's), with content seeded
// here through the library; the assertions check what the examples did on the server and on disk.

import assert from "node:assert/strict";
import type { IMAP4 } from "../mod.ts";
import { denoOnly, test } from "./_harness.ts";
import { dovecot, login, message, uniqueMailbox } from "./_dovecot.ts";

const BOB = 1;
const text = new TextDecoder();

function examplePath(name: string): string {
  return new URL(`../examples/${name}`, import.meta.url).pathname;
}

// The connection variables of examples/_connect.ts for bob, plus the example's own.
function exampleEnv(extra: Record<string, string>, ssl = false): Record<string, string> {
  const info = dovecot();
  const { user, password } = info.users[BOB];
  return {
    IMAP_HOST: info.host,
    IMAP_PORT: String(ssl ? info.imapsPort : info.imapPort),
    IMAP_TLS: ssl ? "ssl" : "starttls",
    IMAP_USER: user,
    IMAP_PASSWORD: password,
    IMAP_CA_FILE: info.caCertPath,
    ...extra,
  };
}

function command(name: string, env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", examplePath(name)],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

// Runs an example to the end; fails with its output unless it exits 0.
async function runExample(name: string, env: Record<string, string>): Promise<string> {
  const run = await command(name, env).output();
  const out = text.decode(run.stdout);
  assert.equal(run.code, 0, `${name} exited ${run.code}\n${out}${text.decode(run.stderr)}`);
  return out;
}

// The subjects in `mailbox`, sorted; the mailbox is examined (read-only) and left again.
async function subjects(M: IMAP4, mailbox: string): Promise<string[]> {
  const [type, [count]] = await M.select(mailbox, true);
  assert.equal(type, "OK");
  const found: string[] = [];
  if (text.decode(count as Uint8Array) !== "0") {
    const [, data] = await M.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    for (const item of data) {
      if (Array.isArray(item)) found.push(text.decode(item[1]).replace(/^Subject: |\s+$/g, ""));
    }
  }
  await M.unselect();
  return found.sort();
}

// STATUS counters as numbers: { MESSAGES: 3, UNSEEN: 2 }.
async function status(M: IMAP4, mailbox: string, items: string): Promise<Record<string, number>> {
  const [type, [line]] = await M.status(mailbox, `(${items})`);
  assert.equal(type, "OK");
  const inner = /\(([^)]*)\)\s*$/.exec(text.decode(line as Uint8Array))?.[1] ?? "";
  const words = inner.split(" ");
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < words.length; i += 2) out[words[i]] = Number(words[i + 1]);
  return out;
}

// Deletes test mailboxes, ignoring those that do not exist (a test failed early).
async function deleteMailboxes(M: IMAP4, ...names: string[]): Promise<void> {
  if (M.state === "SELECTED") await M.unselect();
  for (const name of names) await M.delete(name);
}

// ---- move_old_messages.ts ----

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: move_old_messages moves mail older than DAYS, with UID MOVE and the fallback",
  async () => {
    await using M = await login(BOB);
    const days = (n: number) => new Date(Date.now() - n * 24 * 60 * 60 * 1000);
    const seeds: [subject: string, received: Date, old: boolean][] = [
      ["old 2019", new Date("2019-06-15T12:00:00Z"), true],
      ["old 2020", new Date("2020-01-01"), true],
      ["old 40 days", days(40), true],
      ["recent 10 days", days(10), false],
      ["recent today", new Date(), false],
    ];
    for (const fallback of [false, true]) {
      const from = uniqueMailbox("MoveFrom");
      const to = uniqueMailbox("MoveTo");
      try {
        await M.create(from);
        if (fallback) await M.create(to); // the target exists already; the other run creates it
        for (const [subject, received] of seeds) {
          assert.equal((await M.append(from, null, received, message(subject)))[0], "OK");
        }
        const out = await runExample(
          "move_old_messages.ts",
          exampleEnv({ FROM_MAILBOX: from, TO_MAILBOX: to, ...(fallback ? { NO_MOVE: "1" } : {}) }),
        );
        const how = fallback ? "UID COPY + STORE \\Deleted + UID EXPUNGE" : "UID MOVE";
        assert.ok(out.includes(`moved 3 message(s) from ${from} to ${to} (${how})`), out);
        assert.equal(out.includes(`created mailbox ${to}`), !fallback, out);
        assert.match(out, /UID \d+\s+2020-01-01 {2}old 2020\n/);
        assert.ok(!out.includes("recent"), out);

        const old = seeds.filter((s) => s[2]).map((s) => s[0]).sort();
        const recent = seeds.filter((s) => !s[2]).map((s) => s[0]).sort();
        assert.deepEqual(await subjects(M, to), old);
        assert.deepEqual(await subjects(M, from), recent);
        // Nothing left behind flagged \Deleted, nothing duplicated.
        assert.deepEqual(await status(M, from, "MESSAGES"), { MESSAGES: 2 });
        assert.deepEqual(await status(M, to, "MESSAGES"), { MESSAGES: 3 });

        // A second run finds nothing more to move.
        const again = await runExample(
          "move_old_messages.ts",
          exampleEnv({ FROM_MAILBOX: from, TO_MAILBOX: to }),
        );
        assert.match(again, /^no messages in .* received before \d\d-[A-Z][a-z]{2}-\d{4}\n$/);
      } finally {
        await deleteMailboxes(M, from, to);
      }
    }
  },
  denoOnly,
);

// ---- mailbox_report.ts ----

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: mailbox_report shows the folder tree with counts, the quota, decoded newest mail",
  async () => {
    await using M = await login(BOB);
    const box = uniqueMailbox("Report");
    const child = `${box}.Entw&APw-rfe`; // "Entwürfe" below it (the fixture's delimiter is ".")
    try {
      await M.create(box);
      await M.create(child);
      const mails: [flags: string | null, message: string][] = [
        ["\\Seen", message("first, read")],
        [
          null,
          mime(
            "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=",
            "multipart/mixed; boundary=r",
            "--r\r\nContent-Type: text/plain\r\n\r\nHallo\r\n--r\r\n" +
              "Content-Type: application/pdf\r\n" +
              "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\r\n" +
              "Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--r--\r\n",
          ).replace(
            "From: carol@example.org",
            "From: =?ISO-8859-1?Q?Fran=E7oise?= <f@example.org>",
          ),
        ],
        [null, message("third")],
      ];
      for (const [flags, mail] of mails) {
        assert.equal((await M.append(box, flags, null, mail))[0], "OK");
      }

      const out = await runExample(
        "mailbox_report.ts",
        exampleEnv({ MAILBOX: box, NEWEST: "2" }),
      );
      assert.match(out, /^folders:\n/);
      assert.ok(
        out.includes(`\n  ${box}  3 messages, 2 unseen\n    Entwürfe  0 messages, 0 unseen\n`),
        out,
      );
      assert.match(out, /\nquota: \d+ of 102400 KiB \(\d+%\)\n/);
      assert.ok(out.includes(`\n${box}: 3 messages, the newest 2:\n`), out);
      assert.match(
        out,
        /\n {2}\* UID 2 {2}no date {2}Françoise <f@example.org>: Grüße aus Köln\n {6}attachments: Résumé.pdf\n/,
      );
      assert.match(out, /\n {2}\* UID 3 {2}no date {2}bob@example.org: third\n/);
      assert.ok(!out.includes("first, read"), out);
      // EXAMINE and BODYSTRUCTURE only: nothing was marked read.
      assert.deepEqual(await status(M, box, "MESSAGES UNSEEN"), { MESSAGES: 3, UNSEEN: 2 });
    } finally {
      await deleteMailboxes(M, child, box);
    }
  },
  denoOnly,
);

// ---- conversations.ts ----

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: conversations prints the server's threads, newest first, with senders and flag colours",
  async () => {
    await using M = await login(BOB);
    const box = uniqueMailbox("Conversations");
    const mail = (id: string, subject: string, from: string, day: number, refs = "") =>
      `From: ${from}\r\nTo: bob@example.org\r\nSubject: ${subject}\r\n` +
      `Date: ${day} Mar 2025 09:00:00 +0000\r\nMessage-ID: <${id}.${box}@example.org>\r\n` +
      (refs ? `References: <${refs}.${box}@example.org>\r\n` : "") + "\r\nHello\r\n";
    try {
      await M.create(box);
      for (
        const [flags, text] of [
          [null, mail("a", "Plan", "Anna <anna@example.org>", 1)],
          ["(\\Flagged $MailFlagBit2)", mail("b", "Re: Plan", "Ben <ben@example.org>", 2, "a")],
          [null, mail("c", "Lunch?", "=?UTF-8?Q?J=C3=BCrgen?= <j@example.org>", 3)],
        ] as const
      ) {
        assert.equal((await M.append(box, flags, null, text))[0], "OK");
      }
      const out = await runExample("conversations.ts", exampleEnv({ MAILBOX: box }));
      // Newest thread first (UID 3), then the Plan thread with its reply (blue: bit 2).
      assert.ok(
        out.includes(
          `${box}: 3 messages, 2 conversations shown\n` +
            "  - 2025-03-03  Jürgen: Lunch?\n" +
            "  - 2025-03-01  Anna: Plan\n" +
            "    - 2025-03-02  Ben: Re: Plan  [blue flag]\n",
        ),
        out,
      );
      assert.deepEqual(await status(M, box, "MESSAGES UNSEEN"), { MESSAGES: 3, UNSEEN: 3 });
    } finally {
      await deleteMailboxes(M, box);
    }
  },
  denoOnly,
);

// ---- download_attachments.ts ----

function base64Lines(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return (btoa(binary).match(/.{1,76}/g) ?? []).join("\r\n");
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function mime(subject: string, contentType: string, body: string): string {
  return `From: carol@example.org\r\nTo: bob@example.org\r\nSubject: ${subject}\r\n` +
    `Message-ID: <${crypto.randomUUID()}@example.org>\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: ${contentType}\r\n\r\n${body}`;
}

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: download_attachments saves the exact attachment bytes and leaves mail unseen",
  async () => {
    // Every byte value, so that any text decoding on the way would show.
    const pdf = new Uint8Array(4096);
    pdf.set(utf8("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"));
    for (let i = 20; i < pdf.length; i++) pdf[i] = (i * 7 + (i >> 8)) & 0xff;
    const pdf2 = crypto.getRandomValues(new Uint8Array(1000));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff]);
    const resume = utf8("R\u00e9sum\u00e9 \u20ac\n");
    const passwd = utf8("root:x:0:0::/root:/bin/sh\n");
    const notesQp = "Caf=C3=A9 =3D 100% na=C3=AFve\r\n" +
      "This line is long enough that the encoder had to break it with a soft line=\r\n" +
      " break in the middle.\r\nTrailing space=20\r\nno line break at the end";
    const notes = utf8(
      "Caf\u00e9 = 100% na\u00efve\r\n" +
        "This line is long enough that the encoder had to break it with a soft line" +
        " break in the middle.\r\nTrailing space \r\nno line break at the end",
    );

    // Lines that start like the boundaries but are not delimiters (RFC 2046 section 5.1.1).
    const readme = "--outer=_1.inner-not-a-boundary\r\n--outer=_1 is not one either\r\nlast";

    // Message 1: attachments at the top level and in a nested multipart whose boundary starts
    // with the outer one.
    const first = mime(
      "=?utf-8?q?Invoice_and_r=C3=A9sum=C3=A9?=",
      'multipart/mixed; boundary="outer=_1"',
      "This is a multi-part message in MIME format.\r\n" +
        "--outer=_1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachments.\r\n" +
        '--outer=_1\r\nContent-Type: application/pdf; name="report.pdf"\r\n' +
        'Content-Disposition: attachment; filename="report.pdf"\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(pdf)}\r\n` +
        "--outer=_1\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Disposition: attachment; filename=notes.txt\r\n" +
        `Content-Transfer-Encoding: quoted-printable\r\n\r\n${notesQp}\r\n` +
        "--outer=_1\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        'Content-Disposition: attachment; filename="resume.txt";\r\n' +
        " filename*=utf-8''%E2%82%AC%20r%C3%A9sum%C3%A9.txt\r\n" +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(resume)}\r\n` +
        '--outer=_1\r\nContent-Type: multipart/related; boundary="outer=_1.inner"\r\n\r\n' +
        "--outer=_1.inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi</p>\r\n" +
        `--outer=_1.inner\r\nContent-Type: image/png; name="=?utf-8?b?${
          btoa("logo \xc3\xbc.png")
        }?="\r\n` +
        "Content-Disposition: inline\r\nContent-ID: <logo@example.org>\r\n" +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(png)}\r\n` +
        "--outer=_1.inner\r\nContent-Type: text/plain\r\n" +
        "Content-Disposition: attachment; filename=readme.txt\r\n\r\n" +
        `${readme}\r\n` +
        "--outer=_1.inner--\r\n" +
        "--outer=_1--\r\nAn epilogue.\r\n",
    );
    // Message 2: a hostile file name, a name that is taken already, an inline part with a name.
    const second = mime(
      "More files",
      "multipart/mixed; boundary=b2",
      "--b2\r\nContent-Type: application/octet-stream\r\n" +
        'Content-Disposition: attachment; filename="../../etc/passwd"\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(passwd)}\r\n` +
        "--b2\r\nContent-Type: application/pdf\r\n" +
        "Content-Disposition: attachment; filename=report.pdf\r\n" +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(pdf2)}\r\n` +
        "--b2\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=inline.txt\r\n" +
        "\r\ninline text\r\n--b2--\r\n",
    );
    // Message 3: already seen, so its attachment is not downloaded.
    const seen = mime(
      "Seen already",
      "multipart/mixed; boundary=b3",
      "--b3\r\nContent-Type: application/octet-stream\r\n" +
        "Content-Disposition: attachment; filename=seen.bin\r\n\r\nxyz\r\n--b3--\r\n",
    );

    const box = uniqueMailbox("Attachments");
    const outDir = await Deno.makeTempDir();
    await using M = await login(BOB);
    try {
      await M.create(box);
      for (const [flags, msg] of [[null, first], [null, second], ["\\Seen", seen]] as const) {
        assert.equal((await M.append(box, flags, null, msg))[0], "OK");
      }
      // A file that is there already must survive: the attachment goes to notes-1.txt.
      await Deno.writeTextFile(`${outDir}/notes.txt`, "keep me");

      const out = await runExample(
        "download_attachments.ts",
        exampleEnv({ MAILBOX: box, OUT_DIR: outDir }, true), // over implicit TLS, for a change
      );
      const expected: Record<string, Uint8Array> = {
        "report.pdf": pdf,
        "notes.txt": utf8("keep me"),
        "notes-1.txt": notes,
        "\u20ac r\u00e9sum\u00e9.txt": resume,
        "logo \u00fc.png": png,
        "passwd": passwd,
        "report-1.pdf": pdf2,
        "inline.txt": utf8("inline text"),
        "readme.txt": utf8(readme),
      };
      const written: string[] = [];
      for await (const entry of Deno.readDir(outDir)) written.push(entry.name);
      assert.deepEqual(written.sort(), Object.keys(expected).sort(), out);
      for (const [name, bytes] of Object.entries(expected)) {
        assert.deepEqual(await Deno.readFile(`${outDir}/${name}`), bytes, name);
        if (name === "notes.txt") continue;
        assert.ok(
          out.includes(`saved ${outDir}/${name} (${bytes.length} bytes`),
          `${name}\n${out}`,
        );
      }
      assert.match(out, /^2 unseen message\(s\) in /);
      assert.match(out, /from UID \d+ "Invoice and résumé"/);
      assert.match(out, /8 attachment\(s\) saved/);

      // BODY.PEEK[] on a read-only mailbox: nothing was marked seen.
      assert.deepEqual(await status(M, box, "MESSAGES UNSEEN"), { MESSAGES: 3, UNSEEN: 2 });
    } finally {
      await Deno.remove(outDir, { recursive: true });
      await deleteMailboxes(M, box);
    }
  },
  denoOnly,
);

// ---- watch_mailbox.ts ----

// A running example whose stdout is read as it comes, to wait for what it prints.
class Running {
  readonly process: Deno.ChildProcess;
  output = "";
  #ended = false;
  #changed!: Promise<void>;
  #wake!: () => void;
  readonly #pump: Promise<void>;
  readonly #stderr: Promise<string>;

  constructor(name: string, env: Record<string, string>) {
    this.#arm();
    const process = command(name, env).spawn();
    this.process = process;
    this.#stderr = new Response(process.stderr).text();
    this.#pump = (async () => {
      for await (const chunk of process.stdout.pipeThrough(new TextDecoderStream())) {
        this.output += chunk;
        this.#wake();
      }
      this.#ended = true;
      this.#wake();
    })();
  }

  #arm(): void {
    this.#changed = new Promise((resolve) => {
      this.#wake = () => {
        this.#arm();
        resolve();
      };
    });
  }

  /** Waits until stdout after `from` matches; returns the index just past the match. */
  async waitFor(pattern: RegExp, from = 0, ms = 15_000): Promise<number> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(this.output.slice(from));
      if (match) return from + match.index + match[0].length;
      const left = deadline - Date.now();
      if (this.#ended || left <= 0) {
        const why = this.#ended ? "the example ended" : `${ms} ms passed`;
        assert.fail(`${why} before ${pattern} appeared; output:\n${this.output}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#changed,
        new Promise((resolve) => (timer = setTimeout(resolve, left))),
      ]);
      clearTimeout(timer);
    }
  }

  /** Waits for the exit (killing it if `kill`); returns the code and stderr. */
  async finish(kill = false): Promise<{ code: number; stderr: string }> {
    if (kill) {
      try {
        this.process.kill("SIGKILL");
      } catch { /* already exited */ }
    }
    const { code } = await this.process.status;
    await this.#pump;
    return { code, stderr: await this.#stderr };
  }
}

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: watch_mailbox prints new mail as it arrives, re-issues IDLE, stops at MAX_EVENTS",
  async () => {
    const box = uniqueMailbox("Watch");
    await using M = await login(BOB);
    await M.create(box);
    await M.append(box, null, null, message("already there"));
    const one = `watch one ${crypto.randomUUID().slice(0, 8)}`;
    const two = `caf\u00e9 watch two ${crypto.randomUUID().slice(0, 8)}`;
    const child = new Running(
      "watch_mailbox.ts",
      exampleEnv({ MAILBOX: box, IDLE_MINUTES: "0.05", MAX_EVENTS: "2" }), // IDLE for 3 s at a time
    );
    let finished = false;
    try {
      let at = await child.waitFor(/idling on .*\.\.\.\n/);
      await M.append(box, null, null, message(one));
      at = await child.waitFor(
        new RegExp(`new message UID \\d+: from bob@example.org: ${one}\n`),
        at,
      );
      // Nothing arrives for 3 s: the watcher ends IDLE and starts a new one.
      at = await child.waitFor(/IDLE ran 3 s, no news; re-issuing\n/, at);
      at = await child.waitFor(/idling on .*\.\.\.\n/, at);
      // An RFC 2047 subject, which the watcher decodes.
      const encoded = `=?utf-8?q?${
        encodeURIComponent(two).replace(/%20/g, "_").replace(/%/g, "=")
      }?=`;
      await M.append(box, null, null, message(encoded));
      await child.waitFor(new RegExp(`new message UID \\d+: from bob@example.org: ${two}\n`), at);

      const { code, stderr } = await child.finish();
      finished = true;
      assert.equal(code, 0, child.output + stderr);
      assert.match(child.output, /2 new message\(s\) seen, stopping\nlogged out \(BYE\)\n$/);
      assert.ok(!child.output.includes("already there"), child.output);
    } finally {
      if (!finished) await child.finish(true);
      await deleteMailboxes(M, box);
    }
  },
  denoOnly,
);

// Deno only: the examples are Deno scripts, run with Deno.execPath(); it sends SIGINT with Deno's ChildProcess.kill.
test("examples: watch_mailbox ends IDLE and logs out cleanly on SIGINT", async () => {
  const box = uniqueMailbox("WatchInt");
  await using M = await login(BOB);
  await M.create(box);
  const child = new Running("watch_mailbox.ts", exampleEnv({ MAILBOX: box }));
  let finished = false;
  try {
    await child.waitFor(/idling on .*\.\.\.\n/);
    child.process.kill("SIGINT");
    const { code, stderr } = await child.finish();
    finished = true;
    assert.equal(code, 0, child.output + stderr);
    assert.match(child.output, /interrupted, stopping\nlogged out \(BYE\)\n$/);
  } finally {
    if (!finished) await child.finish(true);
    await deleteMailboxes(M, box);
  }
}, denoOnly);

// ---- backup_mailbox.ts ----

// Deno only: the examples are Deno scripts, run with Deno.execPath().
test(
  "examples: backup_mailbox saves every message byte for byte, leaves them unseen, skips saved ones",
  async () => {
    const box = uniqueMailbox("Backup");
    await using M = await login(BOB);
    await M.create(box);
    // A large one (several socket reads, past the reused buffer), a small one, an 8-bit one.
    const bodies = [
      message("big", "0123456789abcdef\r\n".repeat(200_000)),
      message("small"),
      message("8bit", "caf\u00e9 \u20ac\r\n"),
    ].map((m) => new TextEncoder().encode(m));
    for (const body of bodies) await M.append(box, null, null, body);
    const outDir = await Deno.makeTempDir({ prefix: "imaplib-backup-" });
    try {
      const out = await runExample(
        "backup_mailbox.ts",
        exampleEnv({ MAILBOX: box, OUT_DIR: outDir }),
      );
      assert.match(out, /3 message\(s\) saved \(\d+ bytes\), 0 already there/);
      const [, [validity]] = await (async () => {
        await M.select(box, true);
        return M.response("UIDVALIDITY");
      })();
      const prefix = text.decode(validity as Uint8Array);
      for (let uid = 1; uid <= 3; uid++) {
        const saved = await Deno.readFile(`${outDir}/${prefix}-${uid}.eml`);
        assert.deepEqual(saved, bodies[uid - 1], `UID ${uid}`);
      }
      const names = [];
      for await (const entry of Deno.readDir(outDir)) names.push(entry.name);
      assert.equal(names.length, 3, `no partial files left: ${names}`);
      // BODY.PEEK[] under EXAMINE: nothing became \Seen.
      const [, flags] = await M.fetch("1:*", "(FLAGS)");
      for (const line of flags) assert.ok(!text.decode(line as Uint8Array).includes("\\Seen"));
      await M.unselect();
      // A second run finds them saved.
      const again = await runExample(
        "backup_mailbox.ts",
        exampleEnv({ MAILBOX: box, OUT_DIR: outDir }),
      );
      assert.match(again, /0 message\(s\) saved \(0 bytes\), 3 already there/);
    } finally {
      await Deno.remove(outDir, { recursive: true });
      await deleteMailboxes(M, box);
    }
  },
  denoOnly,
);

// Runs a Deno subprocess per run of the task.
for (const method of ["qresync", "condstore", "uids"] as const) {
  test(
    `examples: deno_cron keeps its state in a file and reports the changes between runs (${method})`,
    async () => {
      const mailbox = uniqueMailbox(`Cron-${method}`);
      const dir = await Deno.makeTempDir({ prefix: "imaplib-cron-" });
      const env = exampleEnv({
        MAILBOX: mailbox,
        STATE_FILE: `${dir}/state.json`,
        SYNC_METHOD: method,
      });
      const once = async () => {
        const run = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", examplePath("deno_cron.ts"), "--once"],
          env,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = text.decode(run.stdout);
        assert.equal(run.code, 0, `deno_cron exited ${run.code}\n${out}${text.decode(run.stderr)}`);
        return out.trim();
      };
      const M = await login(BOB);
      try {
        await M.create(mailbox);
        for (const n of [1, 2, 3]) await M.append(mailbox, null, null, message(`cron ${n}`));
        assert.match(
          await once(),
          new RegExp(`via ${method}: first run .*, 3 \\(1,2,3\\) present$`),
        );
        const saved = JSON.parse(await Deno.readTextFile(`${dir}/state.json`));
        assert.equal(saved.uidNext, 4);

        await M.select(mailbox);
        await M.uid("STORE", "1", "+FLAGS", "(\\Flagged)");
        await M.uid("STORE", "2", "+FLAGS", "(\\Deleted)");
        await M.expunge();
        await M.append(mailbox, null, null, message("cron 4"));
        await M.close();
        const changed = method === "uids" ? "2 \\(1,3\\)" : "1 \\(1\\)";
        assert.match(
          await once(),
          new RegExp(`via ${method}: 1 \\(4\\) new, ${changed} changed, 1 \\(2\\) expunged$`),
        );
        const again = method === "uids" ? "3 \\(1,3,4\\)" : "0";
        assert.match(await once(), new RegExp(`: 0 new, ${again} changed, 0 expunged$`));
      } finally {
        await deleteMailboxes(M, mailbox);
        await M.logout();
        await Deno.remove(dir, { recursive: true });
      }
    },
    denoOnly,
  );
}
