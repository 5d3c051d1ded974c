// Reproducible synthetic mail for the benchmark mailboxes (bench/harness.ts).
//
// Everything comes from one fixed-seed PRNG, so every run seeds byte-identical messages:
// - mailboxA(count): realistic messages averaging ~20 KB: multipart/alternative (text/plain +
//   text/html, 7bit or quoted-printable), about a quarter multipart/mixed with one or two base64
//   attachments; varied headers (Received chains, DKIM-Signature, Cc, In-Reply-To/References,
//   List-Id, encoded-word subjects, X-Mailer/User-Agent).
// - mailboxB(count): ~5 MB messages, mostly one base64 attachment.
// Lines end in CRLF (what IMAP sends), so RFC822.SIZE equals the file size.
//
// `deno run bench/lib/corpus.ts` prints the sizes of the default mailboxes.

/** A small, fast, seedable PRNG (mulberry32). */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Pseudo-random bytes (xorshift32 seeded from this PRNG), fast for megabytes. */
  bytes(n: number): Uint8Array {
    const words = new Uint32Array(Math.ceil(n / 4));
    let x = (Math.floor(this.next() * 0xffffffff) | 1) >>> 0;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    return new Uint8Array(words.buffer, 0, n);
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) {
      s += "0123456789abcdef"[Math.floor(this.next() * 16)];
    }
    return s;
  }
}

const encoder = new TextEncoder();
const B64 = encoder.encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
);

/** Base64 with CRLF after every 76 characters (RFC 2045), as bytes. */
export function base64Lines(data: Uint8Array): Uint8Array {
  const chars = Math.ceil(data.length / 3) * 4;
  const lines = Math.ceil(chars / 76);
  const out = new Uint8Array(chars + lines * 2);
  let o = 0, col = 0;
  const put = (c: number) => {
    out[o++] = c;
    if (++col === 76) {
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
    }
  };
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    put(B64[n >>> 18]);
    put(B64[(n >>> 12) & 63]);
    put(B64[(n >>> 6) & 63]);
    put(B64[n & 63]);
  }
  const rest = data.length - i;
  if (rest > 0) {
    const n = (data[i] << 16) | ((rest > 1 ? data[i + 1] : 0) << 8);
    put(B64[n >>> 18]);
    put(B64[(n >>> 12) & 63]);
    put(rest > 1 ? B64[(n >>> 6) & 63] : 61);
    put(61);
  }
  if (col !== 0) {
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

const WORDS = (
  "the of and to in is for on that with as this by be are from at or an it not we have will " +
  "your our can all more has new about which their were been one also its time if would other " +
  "please meeting project update report review budget quarter invoice attached schedule " +
  "deadline team customer release server database migration contract proposal draft agenda " +
  "feedback results support account payment order delivery shipment question answer summary " +
  "notes minutes action items follow up next week monday tuesday wednesday thursday friday " +
  "morning afternoon thanks regards best cheers kind hello dear colleagues everyone office " +
  "travel expenses approval request ticket issue bug fix deploy production staging test plan " +
  "design document version changes comments discussion decision priority status progress"
).split(" ");
const ACCENTED = [
  "café",
  "naïve",
  "résumé",
  "Zürich",
  "déjà vu",
  "Ångström",
  "façade",
  "–",
  "€",
];
const FIRST = [
  "Alice",
  "Bob",
  "Carol",
  "Dave",
  "Erin",
  "Frank",
  "Grace",
  "Heidi",
  "Ivan",
  "Judy",
  "Mallory",
  "Niaj",
  "Olivia",
  "Peggy",
  "Rupert",
  "Sybil",
  "Trent",
  "Victor",
  "Walter",
  "Yvonne",
  "Zoë",
  "José",
  "Françoise",
  "Jürgen",
  "Søren",
];
const LAST = [
  "Smith",
  "Johnson",
  "Müller",
  "García",
  "Rossi",
  "Dubois",
  "Novak",
  "Kowalski",
  "Tanaka",
  "Silva",
  "Nguyen",
  "Andersson",
  "O'Brien",
  "van Dijk",
  "Martin",
  "Bernard",
  "Schmidt",
];
const DOMAINS = [
  "example.org",
  "example.com",
  "example.net",
  "mail.example.org",
  "corp.example.com",
  "lists.example.net",
  "university.example.edu",
];
const MAILERS = [
  "X-Mailer: Microsoft Outlook 16.0",
  "User-Agent: Mozilla Thunderbird 128.3.0",
  "X-Mailer: Apple Mail (2.3774.300.61.1.2)",
  "User-Agent: Mutt/2.2.12 (2023-09-09)",
  "X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)",
];
const ATTACHMENTS = [
  ["application/pdf", "pdf"],
  ["image/png", "png"],
  ["image/jpeg", "jpg"],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"],
  ["application/zip", "zip"],
] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function ascii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return false;
  return true;
}

/** RFC 2047 B-encoding of a header phrase, when it is not ASCII. */
function phrase(s: string): string {
  if (ascii(s)) return /[^A-Za-z0-9 !#$%&*+/=?^_`{|}~-]/.test(s) ? `"${s}"` : s;
  const b = encoder.encode(s);
  return `=?UTF-8?B?${btoa(String.fromCharCode(...b))}?=`;
}

/** RFC 2047 B-encoding of unstructured header text (Subject), when it is not ASCII. */
function unstructured(s: string): string {
  return ascii(s) ? s : `=?UTF-8?B?${btoa(String.fromCharCode(...encoder.encode(s)))}?=`;
}

/** Quoted-printable (RFC 2045) of UTF-8 text with CRLF line breaks. */
function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\r\n")) {
    if (ascii(line) && !/[ \t]$/.test(line)) {
      const enc = line.replaceAll("=", "=3D");
      if (enc.length <= 76) {
        out.push(enc);
        continue;
      }
    }
    let cur = "";
    for (const byte of encoder.encode(line)) {
      const enc = byte === 61 || byte > 126
        ? `=${byte.toString(16).toUpperCase().padStart(2, "0")}`
        : String.fromCharCode(byte);
      if (cur.length + enc.length > 75) {
        out.push(cur + "=");
        cur = "";
      }
      cur += enc;
    }
    out.push(cur);
  }
  return out.join("\r\n");
}

function wrap(words: string[], width = 72): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

interface Person {
  name: string;
  address: string;
}

class Writer {
  readonly rng: Prng;
  readonly people: Person[] = [];
  readonly paragraphs: string[][] = [];
  constructor(seed: number) {
    this.rng = new Prng(seed);
    const r = this.rng;
    for (let i = 0; i < 200; i++) {
      const first = r.pick(FIRST), last = r.pick(LAST);
      const local = `${first}.${last}`.normalize("NFD").replace(
        /[^A-Za-z.]/g,
        "",
      ).toLowerCase();
      this.people.push({
        name: `${first} ${last}`,
        address: `${local}@${r.pick(DOMAINS)}`,
      });
    }
    // A pool of paragraphs (as words), reused across messages: fast and realistic enough.
    for (let i = 0; i < 600; i++) {
      const words: string[] = [];
      const n = r.int(25, 110);
      for (let j = 0; j < n; j++) {
        let w = r.chance(0.015) ? r.pick(ACCENTED) : r.pick(WORDS);
        if (j === 0) w = w[0].toUpperCase() + w.slice(1);
        if (r.chance(0.08)) w += r.pick([",", ".", ";", ":"]);
        if (r.chance(0.02)) w = String(r.int(1, 99999));
        words.push(w);
      }
      words[words.length - 1] += ".";
      this.paragraphs.push(words);
    }
  }

  person(): Person {
    return this.rng.pick(this.people);
  }

  date(n: number): { rfc822: string; time: number } {
    const r = this.rng;
    // Spread over about a year before 2026-12-01, in message order, with random offsets.
    const t = Date.UTC(2025, 11, 1) + n * 6_000_000 + r.int(0, 5_000_000);
    const offsetMin = r.pick([0, 60, 120, -300, -420, 330, 540]);
    const local = new Date(t + offsetMin * 60_000);
    const sign = offsetMin < 0 ? "-" : "+";
    const abs = Math.abs(offsetMin);
    const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${
      String(abs % 60).padStart(2, "0")
    }`;
    const p2 = (x: number) => String(x).padStart(2, "0");
    return {
      rfc822: `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ` +
        `${local.getUTCFullYear()} ${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:` +
        `${p2(local.getUTCSeconds())} ${tz}`,
      time: t,
    };
  }

  /** Paragraphs of about `bytes` characters in total. */
  text(bytes: number): string[][] {
    const out: string[][] = [];
    let size = 0;
    while (size < bytes) {
      const p = this.rng.pick(this.paragraphs);
      out.push(p);
      size += p.reduce((n, w) => n + w.length + 1, 0) + 2;
    }
    return out;
  }

  headers(n: number, contentType: string, extra: string[] = []): string[] {
    const r = this.rng;
    const from = this.person();
    const to = [this.person()];
    while (r.chance(0.3) && to.length < 6) to.push(this.person());
    const { rfc822 } = this.date(n);
    const domain = from.address.split("@")[1];
    const h: string[] = [`Return-Path: <${from.address}>`];
    const hops = r.int(1, 4);
    for (let i = 0; i < hops; i++) {
      h.push(
        `Received: from mx${r.int(1, 9)}.${r.pick(DOMAINS)} (mx.${domain} [10.${r.int(0, 255)}.` +
          `${r.int(0, 255)}.${r.int(1, 254)}])`,
        `\tby mail.example.net (Postfix) with ESMTPS id ${r.hex(10).toUpperCase()}`,
        `\tfor <${to[0].address}>; ${rfc822}`,
      );
    }
    if (r.chance(0.5)) {
      h.push(
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=s${r.int(1, 9)};`,
        `\th=from:to:subject:date:message-id:mime-version; bh=${btoa(r.hex(32)).slice(0, 43)}=;`,
      );
      const sig = btoa(r.hex(192));
      for (let i = 0; i < sig.length; i += 70) {
        h.push(`\t${i === 0 ? "b=" : ""}${sig.slice(i, i + 70)}`);
      }
    }
    const subjectWords = this.rng.pick(this.paragraphs).slice(0, r.int(3, 9));
    let subject = subjectWords.join(" ").replace(/[.,;:]$/, "");
    if (r.chance(0.25)) subject = `Re: ${subject}`;
    else if (r.chance(0.08)) subject = `Fwd: ${subject}`;
    subject = `${subject} #${n + 1}`;
    h.push(
      `From: ${phrase(from.name)} <${from.address}>`,
      `To: ${to.map((p) => `${phrase(p.name)} <${p.address}>`).join(",\r\n\t")}`,
    );
    if (r.chance(0.3)) {
      h.push(`Cc: ${phrase(this.person().name)} <${this.person().address}>`);
    }
    h.push(`Subject: ${unstructured(subject)}`, `Date: ${rfc822}`);
    h.push(`Message-ID: <${r.hex(16)}.${n + 1}@${domain}>`);
    if (subject.startsWith("Re:")) {
      const parent = `<${r.hex(16)}@${r.pick(DOMAINS)}>`;
      h.push(
        `In-Reply-To: ${parent}`,
        `References: <${r.hex(16)}@${r.pick(DOMAINS)}>\r\n\t${parent}`,
      );
    }
    if (r.chance(0.6)) h.push(r.pick(MAILERS));
    if (r.chance(0.15)) {
      const list = r.pick(["dev", "announce", "users", "ops"]);
      h.push(
        `List-Id: <${list}.lists.example.net>`,
        `List-Unsubscribe: <mailto:${list}-unsubscribe@lists.example.net>`,
      );
    }
    h.push("MIME-Version: 1.0", contentType, ...extra);
    return h;
  }

  alternative(boundary: string, textBytes: number): string {
    const r = this.rng;
    const paras = this.text(textBytes);
    const plain = paras.map((p) => wrap(p).join("\r\n")).join("\r\n\r\n") +
      `\r\n\r\n-- \r\n${this.person().name}\r\n`;
    const qp = r.chance(0.5) || !ascii(plain);
    const html = '<html><head><meta charset="utf-8"></head><body>\r\n' +
      paras.map((p) =>
        `<p style="margin:0 0 1em 0;font-family:Arial,sans-serif">${wrap(p, 70).join("\r\n")}</p>`
      ).join("\r\n") +
      (r.chance(0.4)
        ? `\r\n<table border="0" cellpadding="4"><tr><td><a href="https://www.example.org/t/` +
          `${r.hex(24)}">View online</a></td><td>${r.int(1, 999)} items</td></tr></table>`
        : "") +
      "\r\n</body></html>\r\n";
    return [
      `--${boundary}`,
      `Content-Type: text/plain; charset="utf-8"`,
      `Content-Transfer-Encoding: ${qp ? "quoted-printable" : "7bit"}`,
      "",
      qp ? quotedPrintable(plain) : plain,
      `--${boundary}`,
      `Content-Type: text/html; charset="utf-8"`,
      "Content-Transfer-Encoding: quoted-printable",
      "",
      quotedPrintable(html),
      `--${boundary}--`,
      "",
    ].join("\r\n");
  }
}

function join(parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Mailbox A: `count` messages averaging ~20 KB. Deterministic for a given seed. */
export function mailboxA(count: number, seed = 0x5eed_a): Uint8Array[] {
  const w = new Writer(seed);
  const r = w.rng;
  const out: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const alt = `alt-${r.hex(20)}`;
    const textBytes = r.chance(0.1) ? r.int(200, 1200) : r.int(1500, 6500);
    if (!r.chance(0.25)) {
      const head = w.headers(
        n,
        `Content-Type: multipart/alternative; boundary="${alt}"`,
      );
      out.push(
        join([head.join("\r\n"), "\r\n\r\n", w.alternative(alt, textBytes)]),
      );
      continue;
    }
    const mixed = `mixed-${r.hex(20)}`;
    const head = w.headers(
      n,
      `Content-Type: multipart/mixed; boundary="${mixed}"`,
    );
    const parts: (string | Uint8Array)[] = [
      head.join("\r\n"),
      "\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n",
      `--${mixed}\r\nContent-Type: multipart/alternative; boundary="${alt}"\r\n\r\n`,
      w.alternative(alt, textBytes),
    ];
    const files = r.chance(0.2) ? 2 : 1;
    for (let i = 0; i < files; i++) {
      const [type, ext] = r.pick(ATTACHMENTS);
      const name = `${r.pick(WORDS)}-${r.int(1, 9999)}.${ext}`;
      parts.push(
        `\r\n--${mixed}\r\nContent-Type: ${type}; name="${name}"\r\n` +
          `Content-Disposition: attachment; filename="${name}"\r\n` +
          "Content-Transfer-Encoding: base64\r\n\r\n",
        base64Lines(r.bytes(r.int(4_000, 45_000))),
      );
    }
    parts.push(`\r\n--${mixed}--\r\n`);
    out.push(join(parts));
  }
  return out;
}

/** Mailbox B: `count` messages of ~5 MB, mostly one base64 attachment. */
export function mailboxB(count: number, seed = 0x5eed_b): Uint8Array[] {
  const w = new Writer(seed);
  const r = w.rng;
  const out: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const mixed = `mixed-${r.hex(20)}`;
    const head = w.headers(
      n,
      `Content-Type: multipart/mixed; boundary="${mixed}"`,
    );
    const [type, ext] = r.pick(ATTACHMENTS);
    const name = `scan-${r.int(1, 9999)}.${ext}`;
    const text = w.text(r.int(300, 2000)).map((p) => wrap(p).join("\r\n")).join(
      "\r\n\r\n",
    );
    out.push(join([
      head.join("\r\n"),
      `\r\n\r\n--${mixed}\r\nContent-Type: text/plain; charset="utf-8"\r\n` +
      "Content-Transfer-Encoding: 8bit\r\n\r\n",
      text,
      `\r\n--${mixed}\r\nContent-Type: ${type}; name="${name}"\r\n` +
      `Content-Disposition: attachment; filename="${name}"\r\n` +
      "Content-Transfer-Encoding: base64\r\n\r\n",
      base64Lines(r.bytes(r.int(3_500_000, 3_850_000))),
      `\r\n--${mixed}--\r\n`,
    ]));
  }
  return out;
}

if (import.meta.main) {
  for (
    const [name, make] of [["A", () => mailboxA(5000)], [
      "B",
      () => mailboxB(20),
    ]] as const
  ) {
    const t0 = performance.now();
    const msgs = make();
    const total = msgs.reduce((n, m) => n + m.length, 0);
    const sizes = msgs.map((m) => m.length).sort((a, b) => a - b);
    console.log(
      `${name}: ${msgs.length} messages, ${(total / 1e6).toFixed(1)} MB, average ` +
        `${Math.round(total / msgs.length)} B, median ${sizes[sizes.length >> 1]} B, ` +
        `min ${sizes[0]}, max ${sizes[sizes.length - 1]}, generated in ` +
        `${Math.round(performance.now() - t0)} ms`,
    );
  }
}
