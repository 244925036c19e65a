/**
 * The client address of a request, by the session library's one proxy-trust rule (the rule
 * its adapter applies to sessions and WebSocket handshakes), and the key it counts under in
 * the shop's throttles.
 *
 * Not Fastify's `request.ip`: the same `TRUST_PROXY` would be read by a second rule, and the
 * address a throttle counts must be the one the session layer records and limits. Without a
 * trusted proxy it is the connection's peer, whatever `X-Forwarded-For` says, so a client
 * cannot pick a fresh address per request.
 *
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { createProxyTrust, nodeRequest, type TrustProxy } from 'coatcheck/adapter';
import { addressKey } from 'coatcheck/rate-limit';

/** The address of a request, and its throttle key. */
export interface ClientAddress {
  /** The client's address as the proxy-trust rule decides it (`null` when unknown). */
  of(request: FastifyRequest): string | null;
  /** Its throttle key: IPv4 as it is, IPv6 by its /64 (`addressKey` of `coatcheck/rate-limit`). */
  keyOf(request: FastifyRequest): string;
}

/** Compiles `trustProxy` (the shop's `TRUST_PROXY`). Throws `SessionConfigError` for a bad entry. */
export function createClientAddress(trustProxy: TrustProxy): ClientAddress {
  const trust = createProxyTrust(trustProxy);
  const of = (request: FastifyRequest) => trust(nodeRequest(request.raw)).ip;
  return { of, keyOf: (request) => addressKey(of(request)) };
}
