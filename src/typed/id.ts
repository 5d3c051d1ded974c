/**
 * ID (RFC 2971): tell the server who the client is, learn who the server is.
 *
 * @module
 */

import type { IMAP4 } from "../client/imap4.ts";
import { coreOf } from "../client/core.ts";
import { IMAP4ArgumentError, IMAP4Error } from "../errors.ts";
import { splitResponses } from "./data.ts";
import { ImapTokenizer } from "./tokenizer.ts";
import type { ImapValue } from "./tokens.ts";
import { utf8Text } from "./text.ts";

/**
 * ID parameters (RFC 2971 section 3.3): field name to value, `null` for NIL. Names such as
 * `name`, `version`, `vendor`, `support-url`, `os`, `os-version`, `date`, `command`,
 * `arguments`, `environment`.
 */
export type IdFields = Record<string, string | null>;

// RFC 2971 section 3.3: field names up to 30 octets, values up to 1024, at most 30 pairs.
const MAX_FIELD_BYTES = 30;
const MAX_VALUE_BYTES = 1024;
const MAX_FIELDS = 30;

const encoder = new TextEncoder();

function quoted(text: string, what: string, max: number, utf8: boolean): string {
  const bytes = encoder.encode(text);
  if (bytes.length > max) {
    throw new IMAP4ArgumentError(`ID ${what} is ${bytes.length} bytes, over ${max} (RFC 2971)`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00\r\n]/.test(text)) {
    throw new IMAP4ArgumentError(`ID ${what} contains NUL, CR or LF; refusing to send it`);
  }
  // deno-lint-ignore no-control-regex
  if (!utf8 && /[^\x00-\x7f]/.test(text)) {
    throw new IMAP4ArgumentError(
      `ID ${what} is not ASCII: a quoted string carries 8-bit text only after ENABLE UTF8=ACCEPT`,
    );
  }
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Sends ID (RFC 2971) with `fields` and returns the server's own ID.
 *
 * Behaviour: one queued command, legal in every state (RFC 2971 section 3.1: also before
 * login, where servers use it to log the client). Needs the `ID` capability. Field names and
 * values go as quoted strings (escapes added for `"` and `\`); a `null` value as NIL; `null`
 * or `{}` for `fields` sends `ID NIL`. The server's answer `* ID (...)` is parsed from the
 * untagged store (literals included); values are decoded as UTF-8.
 *
 * @param client A connected client.
 * @param fields The client's ID (e.g. `{ name: "my-app", version: "1.0" }`), or `null`.
 * @returns The server's fields (names as the server sent them), or `null` when it answered
 *   `* ID NIL`.
 * @throws {IMAP4ArgumentError} before sending, for more than 30 fields, a name over 30 bytes,
 *   a value over 1,024 bytes, NUL/CR/LF, or non-ASCII text outside UTF-8 mode.
 * @throws {IMAP4Error} when the server does not advertise ID (nothing sent), answers NO, or
 *   sends no parsable `* ID` response.
 *
 * @example Identify the client
 * ```ts ignore
 * import { IMAP4, id } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * const server = await id(M, { name: "my-app", version: "1.0" });
 * console.log(server?.name); // e.g. "Dovecot"
 * ```
 */
export async function id(client: IMAP4, fields: IdFields | null): Promise<IdFields | null> {
  if (!client.capabilities.includes("ID")) {
    throw new IMAP4Error("ID is not supported by the server (no ID capability, RFC 2971)");
  }
  const entries = Object.entries(fields ?? {});
  if (entries.length > MAX_FIELDS) {
    throw new IMAP4ArgumentError(`ID has ${entries.length} fields, over ${MAX_FIELDS} (RFC 2971)`);
  }
  const utf8 = client.utf8_enabled;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (seen.has(name.toLowerCase())) {
      throw new IMAP4ArgumentError(`ID field ${JSON.stringify(name)} given twice`);
    }
    seen.add(name.toLowerCase());
    parts.push(quoted(name, "field name", MAX_FIELD_BYTES, utf8));
    parts.push(value === null ? "NIL" : quoted(value, `value of ${name}`, MAX_VALUE_BYTES, utf8));
  }
  // RFC 2971 section 3.1: legal in every state (xatom alone would allow only the first one).
  coreOf(client).session.addCommand("ID", ["NONAUTH", "AUTH", "SELECTED"]);
  // Drop an ID answer left over from before, so the one parsed is this command's.
  await client.response("ID");
  const [type, data] = await client.xatom("ID", parts.length ? `(${parts.join(" ")})` : "NIL");
  if (type !== "OK") {
    throw new IMAP4Error(`ID refused: ${data[0] instanceof Uint8Array ? utf8Text(data[0]) : ""}`);
  }
  const [, answers] = await client.response("ID");
  const responses = splitResponses(answers);
  if (!responses.length) throw new IMAP4Error("ID: the server sent no * ID response");
  return parseId(new ImapTokenizer(responses[responses.length - 1]).value());
}

function parseId(value: ImapValue): IdFields | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length % 2) {
    throw new IMAP4Error("ID: the server's response is not a list of field/value pairs");
  }
  const out: IdFields = {};
  for (let i = 0; i < value.length; i += 2) {
    const [name, item] = [value[i], value[i + 1]];
    if (!(name instanceof Uint8Array) || (item !== null && !(item instanceof Uint8Array))) {
      throw new IMAP4Error("ID: a field name or value is not a string");
    }
    out[utf8Text(name)] = item === null ? null : utf8Text(item);
  }
  return out;
}
