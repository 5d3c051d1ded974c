/**
 * How imaplib's command arguments become encoder arguments, and the small text helpers of the
 * imaplib surface (MapCRLF, Python reprs).
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import type { FetchStreamOptions } from "./streaming_run.ts";
import type { Data } from "../session/session.ts";
import { decodeText } from "../wire/bytes.ts";
import type { CommandOptions } from "../session/options.ts";

/** A command argument: text (sent as UTF-8) or bytes. */
export type Arg = string | Uint8Array;

// Python's repr of a tuple of str, for imaplib's debug messages.
export function pyTuple(items: readonly string[]): string {
  const shown = items.map((item) => `'${item}'`);
  return `(${shown.join(", ")}${shown.length === 1 ? "," : ""})`;
}

export const raw = (value: Arg | null | undefined): Argument => ({ kind: "raw", value });
export const astring = (value: Arg | null | undefined): Argument => ({ kind: "astring", value });

export function text(value: Arg): string {
  return typeof value === "string" ? value : decodeText(value);
}

// imaplib wraps flags and sort criteria in parentheses unless already enclosed.
export function parenthesized(value: Arg): Arg {
  const s = text(value);
  return s.startsWith("(") && s.endsWith(")") ? value : `(${s})`;
}

export function lastText(data: Data[]): string {
  const last = data[data.length - 1];
  if (last === null || last === undefined) return "None";
  return decodeText(last instanceof Uint8Array ? last : last[0]);
}

// FETCH or UID FETCH with its arguments.
export function fetchCommand(
  set: Arg,
  parts: Arg,
  options: FetchStreamOptions,
): [string, Argument[]] {
  return options.uid ? ["UID", [raw("FETCH"), raw(set), raw(parts)]] : ["FETCH", [
    raw(set),
    raw(parts),
  ]];
}

/** LIST/LSUB's reference name and mailbox pattern, with imaplib's defaults (`""` and `*`). */
export function listArgs(directory: Arg = '""', pattern: Arg = "*"): Argument[] {
  return [astring(directory), { kind: "list-mailbox", value: pattern }];
}

/**
 * The arguments of a varargs imaplib method (`search`, `uid`, `xatom`...), optionally followed
 * by the command options.
 */
export type ArgsAndOptions = Arg[] | [...Arg[], CommandOptions];

// Splits the trailing options object, if any, off varargs: an argument is a string or bytes,
// so a plain object in last place can only be the options.
export function splitOptions(args: ArgsAndOptions): [Arg[], CommandOptions | undefined] {
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === "object" && !(last instanceof Uint8Array)) {
    return [args.slice(0, -1) as Arg[], last];
  }
  return [args as Arg[], undefined];
}
