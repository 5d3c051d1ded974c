/**
 * ENABLE (RFC 5161) of CONDSTORE or QRESYNC once per client, for the typed methods that need
 * it: `selectMailbox()` and `mailboxChanges()`.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4Error } from "../../errors.ts";
import { run } from "./errors.ts";

// Clients on which ENABLE went through, and what it enabled (once per connection, RFC 5161).
const enabled = new WeakMap<IMAP4, Set<string>>();

/**
 * @internal Sends `ENABLE extension` unless it went through before on this client or the
 * server lacks ENABLE or the extension. ENABLE is valid only outside a selected mailbox (RFC
 * 5161 section 3.1): with one selected, the client leaves it with UNSELECT first (never CLOSE,
 * which would expunge). QRESYNC enables CONDSTORE too (RFC 7162 section 3.2.3).
 * @throws {IMAP4Error} when a mailbox is selected and the server has no UNSELECT.
 */
export async function enableOnce(
  client: IMAP4,
  extension: "CONDSTORE" | "QRESYNC",
  signal: AbortSignal | undefined,
  method: string,
): Promise<void> {
  const done = enabled.get(client) ?? new Set<string>();
  const caps = client.capabilities;
  if (done.has(extension) || !caps.includes("ENABLE") || !caps.includes(extension)) return;
  if (client.state === "SELECTED") {
    if (!caps.includes("UNSELECT")) {
      throw new IMAP4Error(
        `${method}: ENABLE ${extension} needs to leave the selected mailbox, and the server ` +
          "has no UNSELECT: call it before selecting",
      );
    }
    await run(signal, method, "UNSELECT", (o) => client.unselect(o));
  }
  await run(signal, method, "ENABLE", (o) => client.enable(extension, o));
  done.add(extension);
  if (extension === "QRESYNC") done.add("CONDSTORE");
  enabled.set(client, done);
}
