/**
 * Which routes read a session. The coatcheck plugin is registered once, at the root, so its
 * CORS and preflight answers cover every route; only the routes of the session scope read a
 * cookie or a bearer token. Every other route, the 404 handler included, is marked
 * `config: { session: false }`, on which the plugin only adds CORS headers.
 *
 * @module
 */
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';

/** The scopes given to {@link markSessionScope}; their child instances inherit from them. */
const SESSION_SCOPES = new WeakSet<object>();

/** Whether `instance` is a session scope or was created inside one (Fastify children inherit from their parent). */
function isInSessionScope(instance: object): boolean {
  for (let scope: object | null = instance; scope !== null; scope = Object.getPrototypeOf(scope)) {
    if (SESSION_SCOPES.has(scope)) return true;
  }
  return false;
}

/** Sets `config.session` on a route that did not set it, without changing a shared config object. */
function setDefault(route: RouteOptions, session: boolean): void {
  if (route.config?.session !== undefined) return;
  route.config = { ...route.config, session };
}

/**
 * Marks every route registered anywhere outside a session scope `session: false`. Call it on
 * the root before any route is added.
 */
export function markOpenRoutes(root: FastifyInstance): void {
  // Fastify runs the parent's onRoute hooks before the child's, so this hook also sees the
  // session scope's routes first: it must recognise them rather than rely on running last.
  root.addHook('onRoute', function markOpen(this: FastifyInstance, route) {
    if (!isInSessionScope(this)) setDefault(route, false);
  });
}

/** Makes `scope` the session scope: its routes (and its children's) read the session. */
export function markSessionScope(scope: FastifyInstance): void {
  SESSION_SCOPES.add(scope);
  scope.addHook('onRoute', (route) => setDefault(route, true));
}

/**
 * Options for `setNotFoundHandler`: an unknown path reads no session either (Fastify gives the
 * handler's `config` to the 404 route; its typings only list the hooks).
 */
export const NOT_FOUND_OPTIONS = { config: { session: false } } as unknown as Record<string, never>;

/**
 * Lets `plugin` add hooks to the instance it is registered on (what `fastify-plugin` does),
 * so a plugin registered at the root hooks every route.
 */
export function atRoot<Options extends Record<string, unknown>>(plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  (plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
  return plugin;
}
