/**
 * The framework-neutral view of a request the policy decides on, and the two ways adapters
 * build it: from a Node `IncomingMessage` (Fastify, Express, WebSocket upgrades) and from a
 * Fetch `Request` (Hono, the Fetch helper).
 *
 * @module
 */
import type { ForwardedInput } from './proxy-trust.js';

/** What the policy reads of a request. Header names are lower-case. */
export interface HttpRequest extends ForwardedInput {
  /** The method exactly as received. */
  readonly method: string;
  /** The request target: path and query (an absolute URL is accepted too). */
  readonly url: string;
  /** One header's value; repeated headers joined with `, ` (cookies with `; `). */
  header(name: string): string | undefined;
  /**
   * How many `Authorization` headers arrived. Node keeps only the first in `headers`, Fetch
   * joins them; two are ambiguous, never "first one wins". (BI-13)
   */
  countAuthorization(): number;
  /** The connection's peer address (the nearest hop), `null` when unknown (in-process requests). */
  readonly peer: string | null | undefined;
  /** Whether the connection itself is TLS. */
  readonly tls: boolean;
}

/** The parts of a Node `IncomingMessage` the view reads. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawHeaders: readonly string[];
  readonly socket: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean } | null;
}

// A class: one allocation per request, methods shared on the prototype.
class NodeView implements HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly peer: string | null | undefined;
  readonly tls: boolean;
  readonly #raw: NodeRequestLike;
  // Node's `headers` is a getter: read once, looked up four or five times per request.
  readonly #headers: NodeRequestLike['headers'];
  constructor(raw: NodeRequestLike) {
    this.#raw = raw;
    this.#headers = raw.headers;
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
    this.peer = raw.socket?.remoteAddress;
    this.tls = raw.socket?.encrypted === true;
  }
  header(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
  countAuthorization(): number {
    return countRawAuthorization(this.#raw.rawHeaders);
  }
}

/** Counts `Authorization` entries in a raw `[name, value, name, value, …]` header list. */
function countRawAuthorization(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).length === 13 && (raw[i] as string).toLowerCase() === 'authorization') count++;
  return count;
}

/** The view of a Node request (`req`, Fastify's `request.raw`, an upgrade request). */
export function nodeRequest(raw: NodeRequestLike): HttpRequest {
  return new NodeView(raw);
}

class FetchView implements HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly peer: string | null;
  readonly tls: boolean;
  readonly #headers: Headers;
  readonly #raw: readonly string[] | null;
  constructor(request: Request, peer: string | null, tls: boolean | undefined, rawHeaders: readonly string[] | null) {
    this.method = request.method;
    this.url = request.url;
    this.#headers = request.headers;
    this.peer = peer;
    this.tls = tls ?? request.url.startsWith('https:');
    this.#raw = rawHeaders;
  }
  header(name: string): string | undefined {
    const value = this.#headers.get(name);
    if (value !== null) return value;
    // Fetch requests carry the host in the URL, not always in a Host header.
    return name === 'host' ? this.url.slice(this.url.indexOf('//') + 2).split('/')[0] : undefined;
  }
  countAuthorization(): number {
    if (this.#raw !== null) return countRawAuthorization(this.#raw);
    // Fetch joins repeated headers with ", "; a Bearer token (RFC 6750 b64token) has no comma.
    const value = this.#headers.get('authorization');
    return value === null ? 0 : value.split(',').length;
  }
}

/** Where a Fetch request came from, when the runtime knows it. */
export interface FetchConnection {
  /** The peer address (e.g. @hono/node-server's `incoming.socket.remoteAddress`). */
  readonly peer?: string | null;
  /** Whether the connection is TLS. @default the URL's scheme is `https:` */
  readonly tls?: boolean;
  /** The raw header list, when the runtime has one (Node), to count repeated headers exactly. */
  readonly rawHeaders?: readonly string[];
}

/** The connection of a Fetch request a Node server hands on with its Node request (`@hono/node-server`'s `c.env.incoming`); `{}` without one. */
export function nodeConnection(
  incoming: { readonly socket?: NodeRequestLike['socket']; readonly rawHeaders?: readonly string[] } | null | undefined,
): FetchConnection {
  const socket = incoming?.socket;
  return socket ? { peer: socket.remoteAddress ?? null, tls: socket.encrypted === true, rawHeaders: incoming?.rawHeaders ?? [] } : {};
}

/** The view of a Fetch `Request`. */
export function fetchRequest(request: Request, connection: FetchConnection = {}): HttpRequest {
  return new FetchView(request, connection.peer ?? null, connection.tls, connection.rawHeaders ?? null);
}
