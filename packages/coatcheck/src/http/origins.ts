/**
 * Exact origin lists: the one rule CORS and WebSocket handshakes share. An origin is
 * `scheme://host[:port]` exactly as a browser writes it in `Origin`; matching is by string
 * equality after normalising the configured entries (never by prefix or pattern, never `*`).
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';

/** A set of exact origins. */
export interface OriginList {
  /** Whether `origin` (an `Origin` header) is listed. `null`, `"null"` and absent never are. */
  has(origin: string | null | undefined): boolean;
  /** The normalised entries. */
  readonly origins: readonly string[];
}

/** Normalises one configured origin; throws `SessionConfigError` naming `label` when it is not one. */
export function normalizeOrigin(value: unknown, label: string): string {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  // URL parses `https://*.example` as a host named `*.example`: refuse it, since whoever wrote
  // it meant a pattern, and no browser ever sends that origin.
  if (
    url === null ||
    url.origin === 'null' ||
    url.hostname.includes('*') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    (value as string).endsWith('/')
  ) {
    throw new SessionConfigError(
      `${label}: an origin is scheme, host and port only, exactly as browsers send it (e.g. "https://shop.example"); got ${JSON.stringify(value)}.`,
    );
  }
  return url.origin;
}

/** Builds an exact origin list. Throws `SessionConfigError` for anything that is not an origin. */
export function createOriginList(origins: readonly string[], label = 'origins'): OriginList {
  if (!Array.isArray(origins)) throw new SessionConfigError(`${label} must be an array of origins, e.g. ['https://shop.example'].`);
  const list = origins.map((origin, index) => normalizeOrigin(origin, `${label}[${index}]`));
  const set = new Set(list);
  return Object.freeze({ origins: Object.freeze(list), has: (origin: string | null | undefined) => typeof origin === 'string' && set.has(origin) });
}
