/**
 * A small MIME reader for the examples: enough of RFC 2045-2047 and RFC 2231 to find the
 * attachments of everyday mail and to show readable From/Subject lines. It is example code,
 * not a full MIME library (no message/rfc822 recursion, no uuencode, no charset guessing).
 *
 * Raw message bytes are handled as "binary strings": one character per byte (U+0000..U+00FF),
 * so that `indexOf` and regular expressions work on them and every byte survives unchanged.
 * Text meant for people (names, subjects) is decoded to real Unicode at the end.
 *
 * @module
 */

// ---- Bytes and text ----

/** Bytes as a binary string, one character per byte. */
export function bytesToBinary(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** A binary string back to bytes. */
export function binaryToBytes(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes in `charset` (a binary string) to text; unknown charsets fall back to UTF-8. */
function decodeCharset(binary: string, charset: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset.trim() || "utf-8");
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return decoder.decode(binaryToBytes(binary));
}

/** Undeclared 8-bit header bytes: UTF-8 if they are valid UTF-8, else Latin-1 as they are. */
function decodeRaw(binary: string): string {
  if (!/[\x80-\xff]/.test(binary)) return binary;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(binaryToBytes(binary));
  } catch {
    return binary;
  }
}

// ---- Content-Transfer-Encoding ----

/** Base64, ignoring line breaks and other non-alphabet characters (RFC 2045 section 6.8). */
function decodeBase64(binary: string): string {
  let clean = binary.replace(/[^A-Za-z0-9+/]/g, "");
  if (clean.length % 4 === 1) clean = clean.slice(0, -1); // a dangling character carries no byte
  return atob(clean + "=".repeat((4 - (clean.length % 4)) % 4));
}

/** Quoted-printable (RFC 2045 section 6.7): `=XX` escapes, `=` soft line breaks. */
function decodeQuotedPrintable(binary: string): string {
  return binary
    .replace(/[ \t]+(?=\r?\n|$)/g, "") // trailing white space was added in transport
    .replace(/=\r?\n/g, "") // soft line break
    .replace(/=$/, "") // a soft break just before the boundary (its CRLF belongs to it)
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

// ---- Headers ----

/** RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?iso-8859-1?q?...?=`) in a header value. */
export function decodeEncodedWords(binary: string): string {
  const word = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  let out = "";
  let pendingCharset = "";
  let pendingBytes = ""; // adjacent words of one charset are joined before decoding, since a
  // multi-byte character may be split across two of them
  let last = 0;
  const flush = () => {
    if (pendingBytes) out += decodeCharset(pendingBytes, pendingCharset);
    pendingBytes = "";
  };
  for (const match of binary.matchAll(word)) {
    const gap = binary.slice(last, match.index);
    // White space between two encoded words is not part of the text (RFC 2047 section 6.2).
    if (!(pendingBytes && /^[ \t\r\n]*$/.test(gap))) {
      flush();
      out += decodeRaw(gap);
    }
    const charset = match[1].split("*")[0]; // RFC 2231 section 5: `utf-8*en`
    const payload = match[2].toUpperCase() === "B"
      ? decodeBase64(match[3])
      : match[3].replace(/_/g, " ").replace(
        /=([0-9A-Fa-f]{2})/g,
        (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
      );
    if (pendingBytes && charset.toLowerCase() !== pendingCharset.toLowerCase()) flush();
    pendingCharset = charset;
    pendingBytes += payload;
    last = match.index + match[0].length;
  }
  flush();
  return out + decodeRaw(binary.slice(last));
}

/**
 * A header block (binary string or bytes) as `{ name: value }`: names lower-cased, folded lines
 * unfolded, the first occurrence of each field kept, values still raw (not RFC 2047-decoded).
 */
export function headerFields(block: string | Uint8Array): Record<string, string> {
  const text = typeof block === "string" ? block : bytesToBinary(block);
  const fields: Record<string, string> = {};
  for (const line of text.replace(/\r?\n(?=[ \t])/g, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!Object.hasOwn(fields, name)) fields[name] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** A structured header value split into its main value and its parameters. */
export interface HeaderValue {
  /** The value before the first `;`, lower-cased, e.g. `multipart/mixed`, `attachment`. */
  value: string;
  /** Parameters by lower-cased name, decoded (RFC 2231, and RFC 2047 as mailers misuse it). */
  params: Record<string, string>;
}

/**
 * Parses `type/subtype; name="value"; name*=utf-8''%E2%82%AC` (RFC 2045 section 5.1), with
 * RFC 2231 continuations (`name*0=`, `name*1*=`) and charsets.
 */
export function parseHeaderValue(header: string): HeaderValue {
  const raw: [name: string, value: string][] = [];
  let i = header.indexOf(";");
  const value = (i < 0 ? header : header.slice(0, i)).trim().toLowerCase();
  while (i >= 0 && i < header.length) {
    i++; // past ";"
    const eq = header.indexOf("=", i);
    if (eq < 0) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (header[j] === " " || header[j] === "\t") j++;
    let v = "";
    if (header[j] === '"') {
      for (j++; j < header.length && header[j] !== '"'; j++) {
        if (header[j] === "\\") j++; // quoted-pair
        v += header[j] ?? "";
      }
      j = header.indexOf(";", j);
    } else {
      const end = header.indexOf(";", j);
      v = (end < 0 ? header.slice(j) : header.slice(j, end)).trim();
      j = end;
    }
    if (name) raw.push([name, v]);
    i = j;
  }

  // RFC 2231: `name*` is percent-encoded with `charset'language'` in front; `name*0`, `name*1`
  // are pieces of one value, each encoded if it ends in `*`. A value in that form wins over a
  // plain `name=` (mailers send both, the plain one for old readers).
  const params: Record<string, string> = {};
  const extended: Record<string, { pieces: [number, boolean, string][] }> = {};
  for (const [name, v] of raw) {
    const m = /^(.+?)(?:\*(\d+))?(\*)?$/.exec(name)!;
    if (m[2] === undefined && m[3] === undefined) {
      if (!Object.hasOwn(params, name)) params[name] = decodeEncodedWords(v);
      continue;
    }
    (extended[m[1]] ??= { pieces: [] }).pieces.push([Number(m[2] ?? 0), m[3] === "*", v]);
  }
  for (const [name, { pieces }] of Object.entries(extended)) {
    pieces.sort((a, b) => a[0] - b[0]);
    let charset = "";
    let bytes = "";
    for (const [index, encoded, v] of pieces) {
      let piece = v;
      if (encoded && index === 0) {
        const parts = v.split("'");
        if (parts.length >= 3) {
          charset = parts[0];
          piece = parts.slice(2).join("'");
        }
      }
      bytes += encoded
        ? piece.replace(
          /%([0-9A-Fa-f]{2})/g,
          (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
        )
        : piece;
    }
    params[name] = charset ? decodeCharset(bytes, charset) : decodeRaw(bytes);
  }
  return { value, params };
}

// ---- MIME structure ----

/** One MIME entity: a message, or one part of a multipart. */
export interface MimePart {
  /** Header fields, see {@linkcode headerFields}. */
  headers: Record<string, string>;
  /** Content-Type, lower-cased; `text/plain` when absent (RFC 2045 section 5.2). */
  type: string;
  /** Content-Type parameters (`boundary`, `charset`, `name`). */
  typeParams: Record<string, string>;
  /** Content-Disposition (`attachment`, `inline`), lower-cased, or `""` when absent. */
  disposition: string;
  /** Content-Disposition parameters (`filename`). */
  dispositionParams: Record<string, string>;
  /** The body as a binary string, still transfer-encoded. */
  body: string;
  /** The parts of a multipart, in order; empty for anything else. */
  parts: MimePart[];
}

const MAX_DEPTH = 32; // multiparts nested deeper than this are not opened (hostile input)

/** Parses a whole message (bytes as fetched with `BODY.PEEK[]`) into its MIME tree. */
export function parseMessage(message: Uint8Array): MimePart {
  return parseEntity(bytesToBinary(message), 0);
}

function parseEntity(entity: string, depth: number): MimePart {
  // The header ends at the first empty line; an entity starting with a line break has none.
  const m = /^\r?\n|\r?\n\r?\n/.exec(entity);
  const headerEnd = m ? m.index : entity.length;
  const bodyStart = m ? m.index + m[0].length : entity.length;
  const headers = headerFields(entity.slice(0, headerEnd));
  const contentType = parseHeaderValue(headers["content-type"] ?? "text/plain");
  const disposition = parseHeaderValue(headers["content-disposition"] ?? "");
  const part: MimePart = {
    headers,
    type: contentType.value.includes("/") ? contentType.value : "text/plain",
    typeParams: contentType.params,
    disposition: disposition.value,
    dispositionParams: disposition.params,
    body: entity.slice(bodyStart),
    parts: [],
  };
  const boundary = part.typeParams.boundary;
  if (part.type.startsWith("multipart/") && boundary && depth < MAX_DEPTH) {
    part.parts = splitMultipart(part.body, boundary).map((p) => parseEntity(p, depth + 1));
  }
  return part;
}

// Where `--boundary` starts a line at or after `from`. A delimiter line is `--boundary`, then
// either `--` (the close delimiter) or only white space (transport padding) up to the line
// break: `--boundary-2` or `--boundary and text` in a part's content are not delimiters.
function findDelimiter(body: string, dashBoundary: string, from: number): number {
  const tail = /--|[ \t]*(?:\r?\n|$)/y;
  for (
    let at = body.indexOf(dashBoundary, from);
    at >= 0;
    at = body.indexOf(dashBoundary, at + 1)
  ) {
    if (at > 0 && body[at - 1] !== "\n") continue;
    tail.lastIndex = at + dashBoundary.length;
    if (tail.test(body)) return at;
  }
  return -1;
}

/** The bodies of a multipart (RFC 2046 section 5.1.1), preamble and epilogue dropped. */
function splitMultipart(body: string, boundary: string): string[] {
  const dashBoundary = `--${boundary}`;
  const parts: string[] = [];
  let at = findDelimiter(body, dashBoundary, 0);
  while (at >= 0) {
    const after = at + dashBoundary.length;
    if (body.startsWith("--", after)) break; // the close delimiter
    const eol = body.indexOf("\n", after);
    if (eol < 0) break;
    const start = eol + 1;
    const next = findDelimiter(body, dashBoundary, start);
    if (next < 0) { // no close delimiter (truncated mail): the rest is the last part
      parts.push(body.slice(start));
      break;
    }
    // The line break before a delimiter belongs to the delimiter, not to the part.
    let end = next - 1;
    if (body[end - 1] === "\r") end--;
    parts.push(body.slice(start, Math.max(start, end)));
    at = next;
  }
  return parts;
}

/** The body with its Content-Transfer-Encoding undone: the part's real bytes. */
export function decodeBody(part: MimePart): Uint8Array {
  const encoding = (part.headers["content-transfer-encoding"] ?? "7bit").trim().toLowerCase();
  if (encoding === "base64") return binaryToBytes(decodeBase64(part.body));
  if (encoding === "quoted-printable") return binaryToBytes(decodeQuotedPrintable(part.body));
  return binaryToBytes(part.body); // 7bit, 8bit, binary: as they are
}

/** An attachment found in a message. */
export interface Attachment {
  /** The file name the sender gave (decoded, not yet sanitised), or `""` if none. */
  filename: string;
  /** Content-Type, e.g. `application/pdf`. */
  type: string;
  /** The decoded bytes. */
  data: Uint8Array;
}

/**
 * Every attachment of the message, depth first in message order: leaf parts that are
 * `Content-Disposition: attachment`, or that carry a file name (an `inline` part with a
 * `filename`, or an old-style Content-Type `name`). Text bodies without a name are skipped.
 */
export function findAttachments(part: MimePart, out: Attachment[] = []): Attachment[] {
  if (part.parts.length > 0) {
    for (const child of part.parts) findAttachments(child, out);
    return out;
  }
  if (part.type.startsWith("multipart/")) return out; // no boundary, or nested too deep
  const filename = part.dispositionParams.filename || part.typeParams.name || "";
  if (part.disposition === "attachment" || filename !== "") {
    out.push({ filename, type: part.type, data: decodeBody(part) });
  }
  return out;
}

/**
 * A file name that is safe to create in the output directory: only the last path component,
 * no control characters, no characters Windows refuses, no `..`, no leading dot (hidden files),
 * at most 200 characters with the extension kept; `attachment` if nothing is left.
 */
export function safeFilename(name: string): string {
  let s = [...name].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join("");
  s = s.split(/[\\/]/).pop() ?? "";
  s = s.replace(/[<>:"|?*]/g, "_").replace(/\.{2,}/g, ".");
  s = s.replace(/^[\s.]+/, "").replace(/[\s.]+$/, "");
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(s)) s = `_${s}`; // Windows device names
  if (s.length > 200) {
    const dot = s.lastIndexOf(".");
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : "";
    s = s.slice(0, 200 - ext.length) + ext;
  }
  return s || "attachment";
}
