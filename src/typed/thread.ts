/**
 * THREAD responses (RFC 5256 section 4) as trees of messages.
 *
 * @module
 */

import type { DataItem } from "./data.ts";
import { TypedParseError } from "./errors.ts";

/**
 * One message of a thread and the replies to it (RFC 5256 section 4), as the server threaded
 * them: `id` is its sequence number (its UID after `UID THREAD`), or `null` for a message the
 * server knows only as the parent its children name (RFC 5256 `thread-nested` without a
 * number: a message that is missing, or not in the result).
 *
 * @example RFC 5256's example thread `(3 6 (4 23)(44 7 96))`
 * ```ts
 * import type { ThreadNode } from "@imaplib/imaplib";
 * const leaf = (id: number): ThreadNode => ({ id, children: [] });
 * const thread: ThreadNode = {
 *   id: 3,
 *   children: [{
 *     id: 6,
 *     children: [{ id: 4, children: [leaf(23)] }, { id: 44, children: [{ id: 7, children: [leaf(96)] }] }],
 *   }],
 * };
 * console.assert(thread.children[0].children.length === 2);
 * ```
 */
export interface ThreadNode {
  /** The message: its sequence number or UID; `null` for a parent that is not there. */
  id: number | null;
  /** The replies to it, in the server's order. */
  children: ThreadNode[];
}

const OPEN = 0x28;
const CLOSE = 0x29;
const SPACE = 0x20;

// A thread-list being read: its first message (the root, once a number came), the last one
// (where a number or nested lists go next), and the nested lists of a list without numbers.
interface Open {
  root: ThreadNode | null;
  last: ThreadNode | null;
  nested: ThreadNode[];
  nestedSeen: boolean;
}

/**
 * Parses the data of a THREAD (or UID THREAD) result into its threads, in the server's order
 * (RFC 5256 section 4, `thread-list`): `(2)(3 6 (4 23)(44 7 96))` is two threads, the second
 * a chain 3, 6 that branches into 4, 23 and 44, 7, 96.
 *
 * Pure and synchronous; nesting is read with a stack of its own, so a hostile depth is a
 * matter of memory (bounded by the line limit), never of the call stack. An empty result (`[b""]`,
 * or imaplib's `[None]`) is `[]`.
 *
 * @param data The `data` of `M.thread(...)` / `M.uid("THREAD", ...)`.
 * @returns The threads' root messages.
 * @throws {TypedParseError} for text that is not thread lists: unbalanced parentheses, an
 *   empty list, something else than numbers, or a number after a list's nested lists.
 *
 * @example RFC 5256's example
 * ```ts
 * import { parseThread } from "@imaplib/imaplib";
 * const [single, branching] = parseThread([new TextEncoder().encode("(2)(3 6 (4 23)(44 7 96))")]);
 * console.assert(single.id === 2 && single.children.length === 0);
 * console.assert(branching.children[0].children.map((n) => n.id).join() === "4,44");
 * ```
 */
export function parseThread(data: readonly DataItem[]): ThreadNode[] {
  const threads: ThreadNode[] = [];
  let response = 0;
  for (const item of data) {
    if (item === null || item === undefined) continue;
    const reader = new ThreadReader(item instanceof Uint8Array ? item : item[0], response++);
    reader.step(Infinity);
    for (const thread of reader.threads) threads.push(thread);
  }
  return threads;
}

/**
 * @internal {@linkcode parseThread} of one response a part at a time, for `threadMessages()`,
 * which reads a large answer between turns of the event loop (500,000 threads: 0.1-0.3 s).
 */
export class ThreadReader {
  /** The threads read so far. */
  readonly threads: ThreadNode[] = [];
  #bytes: Uint8Array;
  #response: number;
  #stack: Open[] = [];
  #at = 0;

  /** A reader of `bytes`, the response at index `response` of its data (for errors). */
  constructor(bytes: Uint8Array, response: number) {
    this.#bytes = bytes;
    this.#response = response;
  }

  /**
   * Reads about `count` more bytes (whole numbers).
   * @returns Whether the response has been read to its end.
   * @throws {TypedParseError} as {@linkcode parseThread} does.
   */
  step(count: number): boolean {
    const bytes = this.#bytes;
    const stack = this.#stack;
    const fail = (what: string, at: number): never => {
      throw new TypedParseError(`Cannot parse THREAD: ${what} at offset ${at}`, at, this.#response);
    };
    let at = this.#at;
    const until = Math.min(bytes.length, at + count);
    while (at < until) {
      const c = bytes[at];
      if (c === SPACE) {
        at++;
      } else if (c === OPEN) {
        const top = stack[stack.length - 1];
        if (top) top.nestedSeen = true;
        stack.push({ root: null, last: null, nested: [], nestedSeen: false });
        at++;
      } else if (c === CLOSE) {
        const done = stack.pop();
        if (!done) fail('")" without "("', at);
        const node = done!.root ??
          (done!.nested.length > 0 ? { id: null, children: done!.nested } : null);
        if (node === null) fail("an empty thread list", at);
        const parent = stack[stack.length - 1];
        if (!parent) this.threads.push(node!);
        else if (parent.last) parent.last.children.push(node!);
        else parent.nested.push(node!);
        at++;
      } else if (c >= 0x31 && c <= 0x39) {
        const top = stack[stack.length - 1];
        if (!top) fail("a number outside a thread list", at);
        if (top.nestedSeen) fail("a number after nested thread lists", at);
        let n = 0;
        const start = at;
        while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) {
          n = n * 10 + bytes[at] - 0x30;
          at++;
        }
        if (n > 0xffffffff) fail("a number over 4294967295", start);
        const node: ThreadNode = { id: n, children: [] };
        if (top.last) top.last.children.push(node);
        else top.root = node;
        top.last = node;
      } else {
        fail(`unexpected byte 0x${c.toString(16).padStart(2, "0")}`, at);
      }
    }
    this.#at = at;
    if (at < bytes.length) return false;
    if (stack.length > 0) fail('"(" not closed', bytes.length);
    return true;
  }
}
