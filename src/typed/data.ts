/**
 * imaplib's result data and its grouping into responses: the input of every typed parser.
 *
 * @module
 */

/**
 * One item of an imaplib result's data: the bytes of a response, a `[header, literal]` pair
 * (the response's text up to and including `{N}`, then the literal's bytes), or `null` (imaplib's
 * `None`, "no data"). Structurally the same as the client's `Data` type.
 *
 * @example The shape of `M.fetch()`'s data
 * ```ts
 * import { type DataItem, parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const data: DataItem[] = [[b("1 (UID 7 BODY[] {2}"), b("hi")], b(")"), null];
 * console.assert(parseFetch(data)[0].uid === 7);
 * ```
 */
export type DataItem = Uint8Array | readonly [header: Uint8Array, literal: Uint8Array] | null;

/**
 * The text and literals of one response: `texts.length === literals.length + 1`.
 *
 * @example A response with a literal
 * ```ts
 * import { splitResponses } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [parts] = splitResponses([[b("1 (BODY[] {2}"), b("hi")], b(")")]);
 * console.assert(parts.texts.length === 2 && parts.literals.length === 1);
 * ```
 */
export interface ResponseParts {
  /** The response's text pieces: before the first literal, between literals, after the last. */
  texts: Uint8Array[];
  /** The literals, in order. */
  literals: Uint8Array[];
}

const EMPTY = new Uint8Array(0);

/**
 * Groups imaplib result data into responses: a bytes item alone is one response; one or more
 * pairs and the bytes item after them are one response (Python imaplib's shape for literals).
 * `null` items are skipped. A response cut off right after a literal is closed with empty text.
 *
 * @param data The `data` of a `[type, data]` result, or of one `fetchIter()` item.
 * @returns The responses' text pieces and literals, in order.
 *
 * @example Two FETCH responses, the first with a literal
 * ```ts
 * import { splitResponses } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const parts = splitResponses([[b("1 (BODY[] {2}"), b("hi")], b(")"), b("2 (UID 8)")]);
 * console.assert(parts.length === 2 && parts[0].literals.length === 1);
 * ```
 */
export function splitResponses(data: readonly DataItem[]): ResponseParts[] {
  const out: ResponseParts[] = [];
  // eachResponse refills one object for responses without literals: keep copies.
  eachResponse(
    data,
    (parts) => out.push({ texts: [...parts.texts], literals: [...parts.literals] }),
  );
  return out;
}

// The parts of a response without literals, refilled for each by eachResponse.
const single: ResponseParts = { texts: [EMPTY], literals: [] };

/**
 * Internal (not re-exported): calls `each` for every response of `data`, grouped as
 * {@linkcode splitResponses} groups them, without an array of them and, for responses without
 * literals (nearly all), without new parts: `each` must be done with `parts` when it returns.
 * @returns The number of responses.
 */
export function eachResponse(
  data: readonly DataItem[],
  each: (parts: ResponseParts, index: number) => void,
): number {
  let open: ResponseParts | null = null;
  let index = 0;
  try {
    for (let i = 0; i < data.length; i++) {
      const item = data[i];
      if (item === null || item === undefined) continue;
      if (item instanceof Uint8Array) {
        if (open) {
          open.texts.push(item);
          each(open, index++);
          open = null;
        } else {
          single.texts[0] = item;
          each(single, index++);
        }
      } else {
        open ??= { texts: [], literals: [] };
        open.texts.push(item[0]);
        open.literals.push(item[1]);
      }
    }
    if (open) {
      open.texts.push(EMPTY);
      each(open, index++);
    }
  } finally {
    single.texts[0] = EMPTY; // keeps no caller's bytes alive
  }
  return index;
}
