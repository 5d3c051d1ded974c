// The typed layer against an independent reading of real mail: every message of tests/corpus/
// (see its README.md for each file's source and licence) is APPENDed to a fresh mailbox of the
// real Dovecot, fetched with `(UID ENVELOPE BODYSTRUCTURE RFC822.SIZE)` through the imaplib
// surface and parsed with parseFetch. Every ENVELOPE and BODYSTRUCTURE field is then compared
// with what Python's own `email` package reads in the same bytes (tests/_corpus_reader.py,
// run here with python3), never with this library's own output.
//
// The reader says what the message itself says. What Dovecot adds or reads differently, by the
// RFCs or by its own choice, is applied to that reading below (dovecotEnvelope, dovecotBody),
// each difference with its evidence; the few malformed messages that the two MIME parsers
// split differently are listed one by one in KNOWN. Any other difference fails the test, and
// so does a listed one that has gone away.

import assert from "node:assert/strict";
import {
  type Address,
  type BodyStructure,
  decodeWords,
  type Envelope,
  parseFetch,
} from "../mod.ts";
import { denoOnly, test } from "./_harness.ts";
import { login, uniqueMailbox } from "./_dovecot.ts";

const CORPUS = new URL("./corpus/", import.meta.url);
const READER = new URL("./_corpus_reader.py", import.meta.url).pathname;

// ---- The corpus -------------------------------------------------------------------------------

interface CorpusFile {
  /** The path under tests/corpus/, e.g. "cpython/msg_01.txt". */
  name: string;
  /** The bytes APPENDed: the file with every CR, LF and CRLF made CRLF (imaplib's MapCRLF). */
  bytes: Uint8Array;
}

async function corpusFiles(): Promise<CorpusFile[]> {
  const names: string[] = [];
  const walk = async (dir: URL, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (/\.(txt|eml)$/.test(entry.name) && entry.name !== "LICENSE.txt") {
        names.push(`${prefix}${entry.name}`);
      }
    }
  };
  await walk(CORPUS, "");
  names.sort();
  return await Promise.all(names.map(async (name) => ({
    name,
    bytes: crlf(await Deno.readFile(new URL(name, CORPUS))),
  })));
}

/** imaplib's MapCRLF (`\r\n|\r|\n` to CRLF), which APPEND applies to the message too. */
function crlf(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x0d) {
      if (bytes[i + 1] === 0x0a) i++;
      out.push(0x0d, 0x0a);
    } else if (c === 0x0a) {
      out.push(0x0d, 0x0a);
    } else {
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

// ---- Python's reading (tests/_corpus_reader.py) -----------------------------------------------

interface PyMailbox {
  name?: string;
  comment?: string;
  mailbox: string | null;
  host: string | null;
}
interface PyGroup {
  group: string;
  members: PyMailbox[];
}
interface PyAddresses {
  /** How many such headers the message has (RFC 5322 allows one). */
  headers: number;
  /** The addresses of all of them, in order. */
  list: (PyMailbox | PyGroup)[];
  /** Text the address parser left unread. */
  rest: string;
}
interface PyEnvelope {
  date: { raw: string; ms: number | null } | null;
  subject: string | null;
  from: PyAddresses | null;
  sender: PyAddresses | null;
  replyTo: PyAddresses | null;
  to: PyAddresses | null;
  cc: PyAddresses | null;
  bcc: PyAddresses | null;
  inReplyTo: string | null;
  messageId: string | null;
}
interface PyNode {
  part?: string;
  type: string;
  contentType?: string;
  parameters?: Record<string, string>;
  id?: string;
  description?: string;
  encoding?: string;
  size?: number | null;
  lineCount?: number | null;
  md5?: string;
  disposition?: string;
  dispositionParameters?: Record<string, string>;
  language?: string[];
  location?: string;
  envelope?: PyEnvelope;
  childNodes?: PyNode[];
}
interface PyMessage {
  file: string;
  size: number;
  envelope: PyEnvelope;
  body: PyNode;
  /** [raw, decoded]: header texts with encoded words, decoded by decode_header + make_header. */
  words: [string, string][];
}

async function readWithPython(files: CorpusFile[]): Promise<PyMessage[]> {
  const dir = await Deno.makeTempDir({ prefix: "imaplib-corpus-" });
  try {
    const paths = await Promise.all(files.map(async (file, i) => {
      const path = `${dir}/${String(i).padStart(3, "0")}.eml`;
      await Deno.writeFile(path, file.bytes);
      return path;
    }));
    const { code, stdout, stderr } = await new Deno.Command("python3", {
      args: [READER, ...paths],
      stdout: "piped",
      stderr: "piped",
      env: { PYTHONIOENCODING: "utf-8" },
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, `python3 ${READER} failed:\n${err}`);
    const messages = (JSON.parse(new TextDecoder().decode(stdout)) as { messages: PyMessage[] })
      .messages;
    assert.equal(messages.length, files.length);
    return messages;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---- What Dovecot makes of Python's reading -----------------------------------------------------

function dovecotEnvelope(py: PyEnvelope): Envelope {
  const out: Envelope = {};
  if (py.date?.ms != null) out.date = new Date(py.date.ms);
  // Dovecot writes the subject "for humans" (imap-quote.c, imap_append_string_for_humans): runs
  // of blanks and tabs become one space, leading and trailing blanks go (cpython/msg_27.txt:
  // a subject folded with tabs arrives with single spaces).
  if (py.subject !== null) out.subject = forHumans(py.subject);
  const from = dovecotAddresses(py.from);
  if (from !== undefined) out.from = from;
  // RFC 3501 section 7.4.2: "If the Sender or Reply-To lines are absent in the [RFC-2822]
  // header, or are present but empty, the server sets the corresponding member of the
  // envelope to be the same value as the from member".
  const sender = dovecotAddresses(py.sender) ?? from;
  if (sender !== undefined) out.sender = sender;
  const replyTo = dovecotAddresses(py.replyTo) ?? from;
  if (replyTo !== undefined) out.replyTo = replyTo;
  for (const key of ["to", "cc", "bcc"] as const) {
    const list = dovecotAddresses(py[key]);
    if (list !== undefined) out[key] = list;
  }
  if (py.inReplyTo !== null) out.inReplyTo = py.inReplyTo;
  if (py.messageId !== null) out.messageId = py.messageId;
  return out;
}

// Dovecot's imap_append_string_for_humans, on text Python has already decoded (the corpus has
// no encoded word whose decoded text holds tabs or runs of blanks, where the order would matter).
function forHumans(text: string): string {
  return text.replace(/[ \t]+/g, " ").trim();
}

// The reader lists the addresses of every header of the name, and Dovecot 2.3 joins them too
// (cpython/msg_20.txt: three Cc headers give three addresses; msg_25.txt: two To headers).
function dovecotAddresses(py: PyAddresses | null): Address[] | undefined {
  if (py === null || py.list.length === 0) return undefined;
  return py.list.map((entry) =>
    "group" in entry
      ? { name: entry.group, group: entry.members.map(dovecotMailbox) }
      : dovecotMailbox(entry)
  );
}

function dovecotMailbox(py: PyMailbox): Address {
  const out: Address = {};
  // Dovecot: without a display name, the address's last comment is the name
  // (`bbb@ddd.com (John X. Doe)` -> ("John X. Doe" NIL "bbb" "ddd.com"), cpython/msg_01.txt).
  const name = py.name ?? py.comment;
  // Display names are written "for humans" as the subject is (imap-envelope.c).
  if (name !== undefined) out.name = forHumans(name);
  // Dovecot: a missing local part or domain is sent as MISSING_MAILBOX / MISSING_DOMAIN
  // (`From: foo` -> (NIL NIL "foo" "MISSING_DOMAIN"), cpython/msg_05.txt; `MAILER DAEMON <>` ->
  // ("MAILER DAEMON" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"), cpython/msg_43.txt).
  out.address = `${py.mailbox ?? "MISSING_MAILBOX"}@${py.host ?? "MISSING_DOMAIN"}`;
  return out;
}

// `holder`: for a root, the number of the part that holds it ("" for the message itself).
function dovecotBody(py: PyNode, holder = ""): BodyStructure {
  const out: BodyStructure = { type: py.type };
  if (py.part !== undefined) out.part = py.part;
  const parameters = { ...py.parameters };
  // RFC 2045 section 5.2 / Dovecot: a text part without a charset gets `charset us-ascii`
  // (imap-bodystructure.c, DEFAULT_CHARSET).
  if (py.type.startsWith("text/") && !("charset" in parameters)) parameters.charset = "us-ascii";
  if (Object.keys(parameters).length > 0) out.parameters = parameters;
  if (py.id !== undefined) out.id = py.id;
  if (py.description !== undefined) out.description = py.description;
  if (!py.type.startsWith("multipart/")) {
    // RFC 2045 section 6.1: "Content-Transfer-Encoding: 7BIT" is assumed when the header is
    // absent; Dovecot writes it.
    out.encoding = py.encoding ?? "7bit";
  }
  if (py.size != null) out.size = py.size;
  if (py.lineCount != null) out.lineCount = py.lineCount;
  if (py.md5 !== undefined) out.md5 = py.md5;
  if (py.disposition !== undefined) out.disposition = py.disposition;
  if (py.dispositionParameters !== undefined) {
    out.dispositionParameters = py.dispositionParameters;
  }
  if (py.language !== undefined) out.language = py.language;
  if (py.location !== undefined) out.location = py.location;
  if (py.envelope !== undefined) out.envelope = dovecotEnvelope(py.envelope);
  if (py.childNodes !== undefined) {
    out.childNodes = py.childNodes.map((child) => dovecotBody(child, py.part));
    // Dovecot: "no parts in multipart message, that's not allowed. write a single 0-length
    // text/plain structure" (imap-bodystructure.c, EMPTY_BODYSTRUCTURE; cpython/msg_17.txt, a
    // multipart/mixed whose only delimiter is the closing one; msg_41.txt, no boundary).
    if (out.childNodes.length === 0 && py.type.startsWith("multipart/")) {
      out.childNodes.push(emptyPart([py.part ?? holder, "1"].filter((n) => n !== "").join(".")));
    }
  }
  return out;
}

// Dovecot's EMPTY_BODYSTRUCTURE: ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 ...).
function emptyPart(part: string): BodyStructure {
  return {
    part,
    type: "text/plain",
    parameters: { charset: "us-ascii" },
    encoding: "7bit",
    size: 0,
    lineCount: 0,
  };
}

// ---- Malformed messages that Dovecot and Python read differently ------------------------------

interface KnownDifference {
  /** Adjusts the expected structure where Dovecot reads the message differently. */
  patch?: (expected: BodyStructure) => void;
  /**
   * Where the two MIME trees differ in shape: Dovecot's tree, worked out by hand from the
   * message text and Dovecot's rules, as `part type` lines (`-` for a multipart root). Only the
   * shape is compared then; the envelope still is in full.
   */
  shape?: string[];
}

const KNOWN: Record<string, KnownDifference> = {
  // `Content-Type: text; charset=us-ascii`, no subtype. Python: text/plain, the parameters kept
  // (Message.get_content_type falls back to text/plain). Dovecot drops the whole header and
  // sends `"" ""` without parameters or line count; the parser reads that as text/plain.
  "cpython/msg_14.txt": {
    patch: (expected) => {
      delete expected.parameters;
      delete expected.lineCount;
    },
  },
  // The inner multipart/alternative reuses the outer boundary. Dovecot matches delimiter lines
  // against the innermost boundary first, so the alternative gets its two parts and its closing
  // delimiter ends it; Python's feedparser gives the alternative no parts and makes its text
  // parts siblings of it (and reads the GIF part into the last one).
  "cpython/msg_15.txt": {
    shape: [
      "- multipart/mixed",
      "1 multipart/alternative",
      "1.1 text/plain",
      "1.2 text/html",
      "2 image/gif",
    ],
  },
  // `report-type=delivery-status;\r\n\tbo`: a parameter without `=`. Python keeps it with the
  // value ""; Dovecot's RFC 2231 parser drops it.
  "cpython/msg_25.txt": {
    patch: (expected) => {
      delete expected.parameters!.bo;
    },
  },
  // `boundary*=ansi-x3.4-1968''EeQfGwPcQSOJBaQU`: the boundary in RFC 2231 form. Python decodes
  // it and finds the two parts; Dovecot's message parser looks for a plain `boundary` parameter
  // only, finds no part, and writes its empty part. (The parameters themselves, sent as Dovecot
  // got them, decode to Python's values.)
  "cpython/msg_33.txt": {
    patch: (expected) => {
      expected.childNodes = [emptyPart("1")];
    },
  },
  // Delimiter lines with nothing between them. Dovecot starts a part at each one, empty parts
  // being text/plain of 0 bytes; Python's feedparser skips them.
  "cpython/msg_37.txt": {
    shape: [
      "- multipart/mixed",
      "1 text/x-one",
      "2 text/plain",
      "3 text/x-two",
      "4 text/plain",
      "5 text/plain",
      "6 text/plain",
      "7 text/x-two",
    ],
  },
  // Three multipart/alternative parts reuse the boundary of the multipart/mixed around them
  // (as in msg_15.txt): Dovecot nests them, Python cannot.
  "cpython/msg_39.txt": {
    shape: [
      "- multipart/mixed",
      "1 multipart/mixed",
      "1.1 multipart/alternative",
      "1.1.1 application/octet-stream",
      "1.1.2 application/octet-stream",
      "1.2 multipart/alternative",
      "1.2.1 application/octet-stream",
      "1.2.2 application/octet-stream",
      "1.3 multipart/alternative",
      "1.3.1 application/octet-stream",
      "1.3.2 application/octet-stream",
      "2 text/plain",
    ],
  },
};

// Parts whose size the reader could not count (its split of the raw bytes disagreed with the
// feedparser's parts): allowed only where the shape alone is compared.
function unsized(py: PyNode): string[] {
  const here = py.size === null ? [`${py.part} ${py.type}`] : [];
  return [...here, ...(py.childNodes ?? []).flatMap(unsized)];
}

function shape(node: BodyStructure): string[] {
  return [`${node.part ?? "-"} ${node.type}`, ...(node.childNodes ?? []).flatMap(shape)];
}

// ---- The test -----------------------------------------------------------------------------------

// The independent reader needs python3 (3.8 or later; this was checked against 3.11): without
// it on PATH the test is skipped, with that in its name, rather than failed.
const python3 = await (async () => {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno === undefined) return null;
  try {
    const out = await new deno.Command("python3", { args: ["--version"], stdout: "piped" })
      .output();
    return out.code === 0 ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null; // NotFound
  }
})();

// Deno only: runs python3 with Deno.Command.
test(
  "typed corpus: ENVELOPE and BODYSTRUCTURE of real mail agree with Python's email package " +
    `(${denoOnly.ignore ? "Deno only" : python3 ?? "skipped: no python3 on PATH"})`,
  async () => {
    const files = await corpusFiles();
    assert.ok(files.length >= 50, `corpus of ${files.length} messages`);
    const python = await readWithPython(files);

    await using M = await login();
    const box = uniqueMailbox("typed-corpus");
    assert.equal((await M.create(box))[0], "OK");
    try {
      for (const file of files) {
        const [type] = await M.append(box, null, null, file.bytes);
        assert.equal(type, "OK", file.name);
      }
      await M.select(box, true);
      const [type, data] = await M.fetch("1:*", "(UID ENVELOPE BODYSTRUCTURE RFC822.SIZE)");
      assert.equal(type, "OK");
      const messages = parseFetch(data);
      assert.equal(messages.length, files.length);

      const failures: string[] = [];
      for (let i = 0; i < files.length; i++) {
        const { name, bytes } = files[i];
        const msg = messages[i];
        const py = python[i];
        try {
          assert.equal(msg.seq, i + 1);
          assert.equal(msg.uid, i + 1, "UIDs of a fresh mailbox");
          assert.equal(msg.size, bytes.length, "RFC822.SIZE is the size APPENDed");
          assert.deepEqual(msg.envelope, dovecotEnvelope(py.envelope), "ENVELOPE");
          const known = KNOWN[name];
          const expected = dovecotBody(py.body);
          if (known?.patch !== undefined) {
            assert.notDeepEqual(msg.bodyStructure, expected, "the listed difference is gone");
            known.patch(expected);
          }
          if (known?.shape === undefined) {
            assert.deepEqual(unsized(py.body), [], "sizes counted by the reader");
            assert.deepEqual(msg.bodyStructure, expected, "BODYSTRUCTURE");
          } else {
            assert.notDeepEqual(shape(expected), known.shape, "the listed difference is gone");
            assert.deepEqual(shape(msg.bodyStructure!), known.shape, "BODYSTRUCTURE shape");
          }
        } catch (e) {
          failures.push(`${name}: ${e instanceof Error ? e.message : e}`);
        }
      }
      // RFC 2047 on its own, without Dovecot in between: every subject, Content-Description and
      // display name with an encoded word, as Python's email.header reads it.
      let words = 0;
      for (let i = 0; i < files.length; i++) {
        for (const [raw, decoded] of python[i].words) {
          words++;
          const got = decodeWords(raw);
          if (got !== decoded) {
            failures.push(
              `${files[i].name}: decodeWords(${JSON.stringify(raw)}) is ${JSON.stringify(got)}, ` +
                `Python reads ${JSON.stringify(decoded)}`,
            );
          }
        }
      }
      assert.ok(words >= 25, `${words} encoded header texts`);
      assert.equal(
        failures.length,
        0,
        `${failures.length} differences:\n\n${failures.join("\n\n")}`,
      );
    } finally {
      await M.close().catch(() => {});
      await M.delete(box);
    }
  },
  { ignore: denoOnly.ignore || python3 === null },
);
