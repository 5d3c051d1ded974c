/**
 * Flag colours as Apple Mail keeps them, and imapflow reads and writes them: a flagged message
 * (`\Flagged`) whose colour is the number written in binary by the keywords `$MailFlagBit0`
 * (1), `$MailFlagBit1` (2) and `$MailFlagBit2` (4).
 *
 * @module
 */

import { IMAP4ArgumentError } from "../errors.ts";

/**
 * A flag colour: its index in {@linkcode FLAG_COLORS} is the number the `$MailFlagBit`
 * keywords write (red 0, orange 1, yellow 2, green 3, blue 4, purple 5, grey 6).
 *
 * @example
 * ```ts
 * import type { FlagColor } from "@imaplib/imaplib";
 * const color: FlagColor = "purple";
 * console.assert(color.length === 6);
 * ```
 */
export type FlagColor = "red" | "orange" | "yellow" | "green" | "blue" | "purple" | "grey";

/**
 * The colours in the order of their number.
 *
 * @example
 * ```ts
 * import { FLAG_COLORS } from "@imaplib/imaplib";
 * console.assert(FLAG_COLORS.indexOf("green") === 3);
 * ```
 */
export const FLAG_COLORS: readonly FlagColor[] = Object.freeze([
  "red",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "grey",
]);

const BITS = ["$MailFlagBit0", "$MailFlagBit1", "$MailFlagBit2"] as const;

/**
 * The colour of a message's flag from its flags (imapflow's `flagColor`): `undefined` when it
 * is not `\Flagged`; red for a flagged message without colour keywords, and for the number 7,
 * which no colour has (as Apple Mail and imapflow show it). Flags are matched as Apple Mail
 * writes them (`\Flagged`, `$MailFlagBit0`), the spelling servers send back.
 *
 * @param flags A message's flags, e.g. `FetchMessage.flags` or a `flags` event's.
 * @returns The colour, or `undefined` for a message that is not flagged.
 *
 * @example
 * ```ts
 * import { flagColor } from "@imaplib/imaplib";
 * console.assert(flagColor(new Set(["\\Flagged", "$MailFlagBit0", "$MailFlagBit1"])) === "green");
 * console.assert(flagColor(new Set(["\\Flagged"])) === "red");
 * console.assert(flagColor(new Set(["$MailFlagBit2"])) === undefined);
 * ```
 */
export function flagColor(flags: ReadonlySet<string>): FlagColor | undefined {
  if (!flags.has("\\Flagged")) return undefined;
  let n = 0;
  for (let bit = 0; bit < 3; bit++) if (flags.has(BITS[bit])) n |= 1 << bit;
  return FLAG_COLORS[n] ?? "red";
}

/**
 * @internal The flags that give a message `color` (`null`: no flag at all): what to add and
 * what to remove. Names in any case, as imapflow takes them (`"Purple"`).
 * @throws {IMAP4ArgumentError} for a name that is not a colour.
 */
export function colorFlags(color: FlagColor | null): { add: string[]; remove: string[] } {
  if (color === null) return { add: [], remove: ["\\Flagged", ...BITS] };
  const n = typeof color === "string"
    ? FLAG_COLORS.indexOf(color.trim().toLowerCase() as FlagColor)
    : -1;
  if (n === -1) {
    throw new IMAP4ArgumentError(
      `Not a flag colour: ${JSON.stringify(color)} (one of ${FLAG_COLORS.join(", ")}, or null)`,
    );
  }
  const add = ["\\Flagged"];
  const remove: string[] = [];
  for (let bit = 0; bit < 3; bit++) (n & (1 << bit) ? add : remove).push(BITS[bit]);
  return { add, remove };
}
