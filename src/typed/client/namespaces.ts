/**
 * `getNamespaces()`: the server's namespaces (NAMESPACE, RFC 2342), prefixes decoded.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { parseList } from "../list.ts";
import { type Namespaces, parseNamespace } from "../namespace.ts";
import { utf8Names } from "./arguments.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

/**
 * Asks the server for its namespaces (NAMESPACE, RFC 2342; RFC 9051 section 6.3.10): where the
 * user's own mailboxes live (`personal`), other users' (`other`) and shared ones (`shared`),
 * each a list of `{ prefix, delimiter }`. Prefixes are Unicode (modified UTF-7 decoded, or
 * UTF-8 once UTF8=ACCEPT or IMAP4rev2 is enabled); `prefixAsListed` keeps the server's spelling.
 * imapflow's `client.namespace` (which only keeps the first personal one).
 *
 * A server that advertises neither `NAMESPACE` nor `IMAP4rev2` is asked `LIST "" ""` instead
 * (RFC 3501 section 6.3.8: the hierarchy delimiter of the root), and the answer is one personal
 * namespace with prefix `""` and that delimiter: where a server without NAMESPACE puts the
 * user's mailboxes.
 *
 * @param client A logged-in client.
 * @param options `signal`.
 * @returns `{ personal, other, shared }`; see `Namespaces`.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {TypedParseError} for an answer that cannot be read.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Building a new top-level mailbox's name
 * ```ts ignore
 * import { createMailbox, getNamespaces, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const { personal: [ns] } = await getNamespaces(M); // Cyrus: { prefix: "INBOX.", delimiter: "." }
 * await createMailbox(M, `${ns.prefix}Rechnungen`);
 * ```
 */
export async function getNamespaces(
  client: IMAP4,
  options: SignalOptions = {},
): Promise<Namespaces> {
  const { signal } = options;
  const method = "getNamespaces()";
  const utf8 = utf8Names(client); // UTF-8 in IMAP4rev2 too (RFC 9051 section 5.1)
  const caps = client.capabilities;
  if (caps.includes("NAMESPACE") || caps.includes("IMAP4REV2")) {
    const [, data] = await run(signal, method, "NAMESPACE", (o) => client.namespace(o));
    return parseNamespace(data, { utf8 });
  }
  const [, data] = await run(signal, method, "LIST", (o) => client.list('""', '""', o));
  const [root] = parseList(data, { utf8 });
  const delimiter = root?.delimiter ?? null;
  return { personal: [{ prefix: "", prefixAsListed: "", delimiter }], other: [], shared: [] };
}
