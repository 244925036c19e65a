/**
 * Keeps the session handle's own properties read-only, so the express-session habit
 * `req.session.cart = [...]` fails at the line that wrote it instead of being dropped.
 *
 * Why not simply a Proxy around every handle: the handle is read many times per request, and
 * a Proxy puts every read (and every private-field access of its methods) on V8's slow path;
 * a rough micro-loop measured a getter plus a method call at about 5 to 70 times the cost of
 * the plain object. So the refusal is layered:
 *
 * - everywhere, at no cost on reads: every accessor of the prototype (`id`, `userId`, `data`,
 *   ...) gets a setter that throws, and a Proxy with only a `set` trap sits *under* the
 *   prototype, where an assignment to any other name (`cart`) ends up after missing on the
 *   handle and its prototype. Reads of the handle's own properties never reach it, and `then`
 *   (asked by every `await` of a handle) is answered above it. These throw in sloppy mode too.
 * - in development (`production: false`), the handle itself is a Proxy whose `set`,
 *   `deleteProperty` and `defineProperty` traps throw {@link SessionReadOnlyError}: that also
 *   covers `delete session.cart`, `Object.defineProperty(session, ...)` and assignments to
 *   method names, which no hook reaches on an ordinary object. Tests and development servers
 *   find every such line; production keeps the fast object. (Making the production handle
 *   non-extensible as well was measured to slow down every `load()` noticeably, for writes
 *   no habit produces.)
 *
 * @module
 */
import { SessionReadOnlyError } from '../errors.js';

function refuse(property: string | symbol): never {
  throw new SessionReadOnlyError(property);
}

const HANDLE_TRAPS: ProxyHandler<object> = Object.freeze({
  set: (_target: object, property: string | symbol) => refuse(property),
  deleteProperty: (_target: object, property: string | symbol) => refuse(property),
  defineProperty: (_target: object, property: string | symbol) => refuse(property),
});

/**
 * Gives every getter-only accessor of `prototype` a throwing setter, and puts a `set`-only
 * Proxy between `prototype` and `Object.prototype`. Run once per class, at module load.
 */
export function guardPrototype(prototype: object): void {
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
    if (descriptor.get !== undefined && descriptor.set === undefined) {
      Object.defineProperty(prototype, name, { ...descriptor, set: () => refuse(name) });
    }
  }
  // Every `await` of a handle (an async `load()` returning it) asks for `then`: answer it
  // here, so that lookup never walks down to the Proxy, which V8 cannot cache.
  Object.defineProperty(prototype, 'then', { get: () => undefined, set: () => refuse('then'), configurable: true });
  const parent = Object.getPrototypeOf(prototype) as object;
  Object.setPrototypeOf(prototype, new Proxy(parent, { set: (_target, property) => refuse(property) }));
}

/**
 * The object a development handle is built on: a Proxy over a bare instance of `prototype`
 * that refuses every write. The class constructor adopts it as `this` (see `Stamped`).
 */
export function createGuardedSelf(prototype: object): object {
  return new Proxy(Object.create(prototype) as object, HANDLE_TRAPS);
}

/**
 * A base class whose constructor returns the object it is given (when given one): a subclass
 * constructor then runs on that object, and its private fields are stamped onto it. That is
 * how a development handle's methods work through its Proxy: `this` is the Proxy, and it
 * carries the fields itself.
 */
export class Stamped {
  constructor(self?: object) {
    // biome-ignore lint/correctness/noConstructorReturn: returning the given object is how subclass fields land on the Proxy (see above)
    if (self !== undefined) return self as Stamped;
  }
}
