/**
 * imaplib's connection states and its table of the states each command is allowed in.
 *
 * @module
 */

/** imaplib's connection states, plus `IDLING` while an IDLE command runs (as CPython 3.14). */
export type State = "LOGOUT" | "NONAUTH" | "AUTH" | "SELECTED" | "IDLING";

/** Valid states per command: imaplib's `Commands` table (CPython 3.14). */
export const COMMANDS: Readonly<Record<string, readonly State[]>> = {
  APPEND: ["AUTH", "SELECTED"],
  AUTHENTICATE: ["NONAUTH"],
  CAPABILITY: ["NONAUTH", "AUTH", "SELECTED", "LOGOUT"],
  CHECK: ["SELECTED"],
  CLOSE: ["SELECTED"],
  COPY: ["SELECTED"],
  CREATE: ["AUTH", "SELECTED"],
  DELETE: ["AUTH", "SELECTED"],
  DELETEACL: ["AUTH", "SELECTED"],
  ENABLE: ["AUTH"],
  EXAMINE: ["AUTH", "SELECTED"],
  EXPUNGE: ["SELECTED"],
  FETCH: ["SELECTED"],
  GETACL: ["AUTH", "SELECTED"],
  GETANNOTATION: ["AUTH", "SELECTED"],
  GETQUOTA: ["AUTH", "SELECTED"],
  GETQUOTAROOT: ["AUTH", "SELECTED"],
  IDLE: ["AUTH", "SELECTED"],
  MYRIGHTS: ["AUTH", "SELECTED"],
  LIST: ["AUTH", "SELECTED"],
  LOGIN: ["NONAUTH"],
  LOGOUT: ["NONAUTH", "AUTH", "SELECTED", "LOGOUT"],
  LSUB: ["AUTH", "SELECTED"],
  MOVE: ["SELECTED"],
  NAMESPACE: ["AUTH", "SELECTED"],
  NOOP: ["NONAUTH", "AUTH", "SELECTED", "LOGOUT"],
  PARTIAL: ["SELECTED"],
  PROXYAUTH: ["AUTH"],
  RENAME: ["AUTH", "SELECTED"],
  SEARCH: ["SELECTED"],
  SELECT: ["AUTH", "SELECTED"],
  SETACL: ["AUTH", "SELECTED"],
  SETANNOTATION: ["AUTH", "SELECTED"],
  SETQUOTA: ["AUTH", "SELECTED"],
  SORT: ["SELECTED"],
  STARTTLS: ["NONAUTH"],
  STATUS: ["AUTH", "SELECTED"],
  STORE: ["SELECTED"],
  SUBSCRIBE: ["AUTH", "SELECTED"],
  THREAD: ["SELECTED"],
  UID: ["SELECTED"],
  UNSELECT: ["SELECTED"],
  UNSUBSCRIBE: ["AUTH", "SELECTED"],
};
