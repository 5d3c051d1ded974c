/**
 * One command of a typed method with the untagged responses it produced: for the extensions
 * whose answers arrive under more than one name (LIST-STATUS: LIST and STATUS; SEARCH on an
 * IMAP4rev2 or ESEARCH server: ESEARCH or SEARCH) or must be matched by tag (ESEARCH's
 * `(TAG "...")`).
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import type { Data, Result } from "../../session/session.ts";
import type { Argument } from "../../wire/encoder.ts";
import { run } from "./errors.ts";

/** @internal What {@linkcode collect} returns. */
export interface Collected {
  /** The command's tag, for ESEARCH's correlator. */
  tag: string;
  /** The tagged result, imaplib's `[type, [text]]`. */
  result: Result;
  /** Per name asked for, the stored untagged data taken after the command (`[]` if none). */
  responses: Map<string, Data[]>;
}

/**
 * @internal Runs `name args` in call order (as imaplib's commands do), checks `signal` before
 * and after, turns NO and BAD into `IMAP4CommandError` naming `command`, and takes the untagged
 * data of `names` from the store: only this command's, as data of those names stored before
 * it (an IMAP4rev2 SELECT's `* LIST`, RFC 9051 section 6.3.2) is dropped when it starts.
 */
export async function collect(
  client: IMAP4,
  signal: AbortSignal | undefined,
  method: string,
  command: string,
  name: string,
  args: Argument[],
  names: readonly string[],
): Promise<Collected> {
  let tag = "";
  const responses = new Map<string, Data[]>();
  const result = await run(
    signal,
    method,
    command,
    (o) =>
      coreOf(client).run(name, async (session) => {
        for (const key of names) session.store.take(key);
        const running = await session.start(name, args);
        tag = running.tag;
        const result = await running.complete();
        for (const key of names) responses.set(key, session.store.take(key) ?? []);
        return result;
      }, o),
  );
  return { tag, result, responses };
}
