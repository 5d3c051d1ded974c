/**
 * Plain objects and arrays for the typed results made by the thousand (a FETCH message, its
 * envelope and addresses, a body structure's nodes, LIST entries), made without object or array
 * literals.
 *
 * V8 tracks the objects each literal makes (its allocation site), and when most of them outlive a
 * young-generation collection, as they do when a caller keeps the results (`parseFetch()`,
 * `fetchAll()`, a large listing), it makes that literal allocate in the old generation from then
 * on (allocation-site pretenuring). That made a kept parse of the harness's 5,000 ENVELOPEs take
 * 19 ms instead of 11, and of 5,000 BODYSTRUCTUREs twice as long (bench/RESULTS.md, thirteenth
 * session). What these constructors and `new Array(n)` make is not pretenured: V8's flag that turns
 * pretenuring off no longer changes those parses. JSC does no such thing; Bun is unchanged.
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

/**
 * A list holding `item`, with room for it alone, where `[]` grows to room for 17 on its first
 * push. `new Array(1)`, not `[item]` (see the module's documentation) nor `Array.of(item)`, a
 * builtin call that took 3 ms more a kept parse of 5,000 ENVELOPEs.
 */
export function listOf<T>(item: T): T[] {
  const list = new Array<T>(1);
  list[0] = item;
  return list;
}

/** An empty list, not a literal `[]` (see the module's documentation). */
export function emptyList<T>(): T[] {
  return new Array<T>(0);
}
