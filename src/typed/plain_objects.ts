/**
 * Plain objects sized to their fields, for the typed results made by the thousand (a FETCH
 * message, its envelope).
 *
 * Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

/**
 * A constructor of empty plain objects. V8 sizes the objects one constructor makes to the most
 * fields its first instances received (slack tracking) and keeps those fields in the object,
 * where `{}` has room for four and puts the rest in a second allocation that grows as fields are
 * added: 53 bytes kept a message with its envelope on the harness's (b) recording (1,530 to
 * 1,477 in a heap snapshot; bench/RESULTS.md, sixth session). The prototype is
 * `Object.prototype`, so to any caller the objects are plain objects (`deepStrictEqual`, spread,
 * JSON, `structuredClone`).
 *
 * Each call makes a constructor of its own: one per kind of object, so that each is sized to its
 * own fields. Call it once per kind, at load, marked pure (nothing else happens).
 */
export function plainObjects<T>(): new () => T {
  const PlainObject = function () {};
  PlainObject.prototype = Object.prototype;
  return PlainObject as unknown as new () => T;
}
