/**
 * imaplib's upper-case command names (`M.FETCH(...)`), which its `__getattr__` maps to the
 * lower-case methods. They are getters of a base class of `IMAP4`, so that loading the module
 * changes no prototype and a bundler can drop the client when only the wire layer is used.
 *
 * @module
 */

import type { IMAP4 } from "./imap4.ts";

/**
 * The upper-case aliases of {@linkcode IMAP4}'s commands (imaplib's `__getattr__`): each is the
 * bound method of the same name in lower case, so `const f = M.FETCH; await f("1", "(FLAGS)")`
 * works as in imaplib.
 *
 * @example
 * ```ts ignore
 * const [, data] = await M.FETCH("1", "(FLAGS)"); // the same as M.fetch("1", "(FLAGS)")
 * ```
 */
export abstract class IMAP4Aliases {
  /** Upper-case alias of {@linkcode IMAP4.append} (imaplib's `__getattr__`). */
  get APPEND(): IMAP4["append"] {
    return bind(this, "append");
  }
  /** Upper-case alias of {@linkcode IMAP4.authenticate} (imaplib's `__getattr__`). */
  get AUTHENTICATE(): IMAP4["authenticate"] {
    return bind(this, "authenticate");
  }
  /** Upper-case alias of {@linkcode IMAP4.capability} (imaplib's `__getattr__`). */
  get CAPABILITY(): IMAP4["capability"] {
    return bind(this, "capability");
  }
  /** Upper-case alias of {@linkcode IMAP4.check} (imaplib's `__getattr__`). */
  get CHECK(): IMAP4["check"] {
    return bind(this, "check");
  }
  /** Upper-case alias of {@linkcode IMAP4.close} (imaplib's `__getattr__`). */
  get CLOSE(): IMAP4["close"] {
    return bind(this, "close");
  }
  /** Upper-case alias of {@linkcode IMAP4.copy} (imaplib's `__getattr__`). */
  get COPY(): IMAP4["copy"] {
    return bind(this, "copy");
  }
  /** Upper-case alias of {@linkcode IMAP4.create} (imaplib's `__getattr__`). */
  get CREATE(): IMAP4["create"] {
    return bind(this, "create");
  }
  /** Upper-case alias of {@linkcode IMAP4.delete} (imaplib's `__getattr__`). */
  get DELETE(): IMAP4["delete"] {
    return bind(this, "delete");
  }
  /** Upper-case alias of {@linkcode IMAP4.deleteacl} (imaplib's `__getattr__`). */
  get DELETEACL(): IMAP4["deleteacl"] {
    return bind(this, "deleteacl");
  }
  /** Upper-case alias of {@linkcode IMAP4.enable} (imaplib's `__getattr__`). */
  get ENABLE(): IMAP4["enable"] {
    return bind(this, "enable");
  }
  /** Upper-case alias of {@linkcode IMAP4.expunge} (imaplib's `__getattr__`). */
  get EXPUNGE(): IMAP4["expunge"] {
    return bind(this, "expunge");
  }
  /** Upper-case alias of {@linkcode IMAP4.fetch} (imaplib's `__getattr__`). */
  get FETCH(): IMAP4["fetch"] {
    return bind(this, "fetch");
  }
  /** Upper-case alias of {@linkcode IMAP4.getacl} (imaplib's `__getattr__`). */
  get GETACL(): IMAP4["getacl"] {
    return bind(this, "getacl");
  }
  /** Upper-case alias of {@linkcode IMAP4.getannotation} (imaplib's `__getattr__`). */
  get GETANNOTATION(): IMAP4["getannotation"] {
    return bind(this, "getannotation");
  }
  /** Upper-case alias of {@linkcode IMAP4.getquota} (imaplib's `__getattr__`). */
  get GETQUOTA(): IMAP4["getquota"] {
    return bind(this, "getquota");
  }
  /** Upper-case alias of {@linkcode IMAP4.getquotaroot} (imaplib's `__getattr__`). */
  get GETQUOTAROOT(): IMAP4["getquotaroot"] {
    return bind(this, "getquotaroot");
  }
  /** Upper-case alias of {@linkcode IMAP4.idle} (imaplib's `__getattr__`). */
  get IDLE(): IMAP4["idle"] {
    return bind(this, "idle");
  }
  /** Upper-case alias of {@linkcode IMAP4.list} (imaplib's `__getattr__`). */
  get LIST(): IMAP4["list"] {
    return bind(this, "list");
  }
  /** Upper-case alias of {@linkcode IMAP4.login} (imaplib's `__getattr__`). */
  get LOGIN(): IMAP4["login"] {
    return bind(this, "login");
  }
  /** Upper-case alias of {@linkcode IMAP4.logout} (imaplib's `__getattr__`). */
  get LOGOUT(): IMAP4["logout"] {
    return bind(this, "logout");
  }
  /** Upper-case alias of {@linkcode IMAP4.lsub} (imaplib's `__getattr__`). */
  get LSUB(): IMAP4["lsub"] {
    return bind(this, "lsub");
  }
  /** Upper-case alias of {@linkcode IMAP4.myrights} (imaplib's `__getattr__`). */
  get MYRIGHTS(): IMAP4["myrights"] {
    return bind(this, "myrights");
  }
  /** Upper-case alias of {@linkcode IMAP4.namespace} (imaplib's `__getattr__`). */
  get NAMESPACE(): IMAP4["namespace"] {
    return bind(this, "namespace");
  }
  /** Upper-case alias of {@linkcode IMAP4.noop} (imaplib's `__getattr__`). */
  get NOOP(): IMAP4["noop"] {
    return bind(this, "noop");
  }
  /** Upper-case alias of {@linkcode IMAP4.partial} (imaplib's `__getattr__`). */
  get PARTIAL(): IMAP4["partial"] {
    return bind(this, "partial");
  }
  /** Upper-case alias of {@linkcode IMAP4.proxyauth} (imaplib's `__getattr__`). */
  get PROXYAUTH(): IMAP4["proxyauth"] {
    return bind(this, "proxyauth");
  }
  /** Upper-case alias of {@linkcode IMAP4.rename} (imaplib's `__getattr__`). */
  get RENAME(): IMAP4["rename"] {
    return bind(this, "rename");
  }
  /** Upper-case alias of {@linkcode IMAP4.search} (imaplib's `__getattr__`). */
  get SEARCH(): IMAP4["search"] {
    return bind(this, "search");
  }
  /** Upper-case alias of {@linkcode IMAP4.select} (imaplib's `__getattr__`). */
  get SELECT(): IMAP4["select"] {
    return bind(this, "select");
  }
  /** Upper-case alias of {@linkcode IMAP4.setacl} (imaplib's `__getattr__`). */
  get SETACL(): IMAP4["setacl"] {
    return bind(this, "setacl");
  }
  /** Upper-case alias of {@linkcode IMAP4.setannotation} (imaplib's `__getattr__`). */
  get SETANNOTATION(): IMAP4["setannotation"] {
    return bind(this, "setannotation");
  }
  /** Upper-case alias of {@linkcode IMAP4.setquota} (imaplib's `__getattr__`). */
  get SETQUOTA(): IMAP4["setquota"] {
    return bind(this, "setquota");
  }
  /** Upper-case alias of {@linkcode IMAP4.sort} (imaplib's `__getattr__`). */
  get SORT(): IMAP4["sort"] {
    return bind(this, "sort");
  }
  /** Upper-case alias of {@linkcode IMAP4.starttls} (imaplib's `__getattr__`). */
  get STARTTLS(): IMAP4["starttls"] {
    return bind(this, "starttls");
  }
  /** Upper-case alias of {@linkcode IMAP4.status} (imaplib's `__getattr__`). */
  get STATUS(): IMAP4["status"] {
    return bind(this, "status");
  }
  /** Upper-case alias of {@linkcode IMAP4.store} (imaplib's `__getattr__`). */
  get STORE(): IMAP4["store"] {
    return bind(this, "store");
  }
  /** Upper-case alias of {@linkcode IMAP4.subscribe} (imaplib's `__getattr__`). */
  get SUBSCRIBE(): IMAP4["subscribe"] {
    return bind(this, "subscribe");
  }
  /** Upper-case alias of {@linkcode IMAP4.thread} (imaplib's `__getattr__`). */
  get THREAD(): IMAP4["thread"] {
    return bind(this, "thread");
  }
  /** Upper-case alias of {@linkcode IMAP4.uid} (imaplib's `__getattr__`). */
  get UID(): IMAP4["uid"] {
    return bind(this, "uid");
  }
  /** Upper-case alias of {@linkcode IMAP4.unselect} (imaplib's `__getattr__`). */
  get UNSELECT(): IMAP4["unselect"] {
    return bind(this, "unselect");
  }
  /** Upper-case alias of {@linkcode IMAP4.unsubscribe} (imaplib's `__getattr__`). */
  get UNSUBSCRIBE(): IMAP4["unsubscribe"] {
    return bind(this, "unsubscribe");
  }
}

function bind<K extends keyof IMAP4>(client: IMAP4Aliases, name: K): IMAP4[K] {
  const self = client as unknown as IMAP4;
  return (self[name] as (...args: unknown[]) => unknown).bind(self) as IMAP4[K];
}
