/**
 * Multi-step checkout: `GET /checkout`, `POST /checkout/address`, `POST /checkout/payment`,
 * `POST /checkout/place`, and `GET /orders`.
 *
 * The wizard's answers live in the session, so a person can move between pages (or reload)
 * and carry on. "Place order" is guarded against duplicate submission with a client-chosen
 * idempotency key: a repeat gets the first answer, and of concurrent duplicates exactly one
 * places an order. The guard is the session's conflict-safe `update`: each request claims
 * the key for its own order; when two race, the version check makes the later commit replay
 * its claim on the fresh data, where it finds the earlier claim and yields to it. An order
 * above `STEP_UP_CHECKOUT_ABOVE` needs a login or `POST /reauth` within the last 5 minutes.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdminCheck } from '../admin/admins.js';
import { requireSelf, resolveActing } from '../admin/view-as.js';
import { toCart } from '../cart/cart.js';
import { CHECKOUT_KEY, claimKey, currentStep, PLACED_KEY, priceCart, readCheckout, readClaims, removeOrdered } from '../checkout/checkout.js';
import type { Order, OrderStore } from '../checkout/orders.js';
import { HttpError } from '../http/errors.js';
import { REAUTH_WINDOW_MS } from './account.js';
import { notAuthenticated, requireUser } from '../http/require-user.js';
import { addressSchema, paymentSchema, placeOrderSchema, type AddressBody, type PaymentBody, type PlaceOrderBody } from '../http/shop-schemas.js';
import type { ShopMetrics } from '../metrics/session-metrics.js';
import type { UserStore } from '../users/user-store.js';

/** What the checkout routes need. */
export interface CheckoutRouteDeps {
  readonly users: UserStore;
  readonly orders: OrderStore;
  readonly isAdmin: AdminCheck;
  readonly metrics: Pick<ShopMetrics, 'orders'>;
  readonly now: () => number;
  /** Orders above this total (cents) need a fresh authentication; `null`: none do. */
  readonly stepUpAbove: number | null;
}

/** Most orders `GET /orders` returns. */
const ORDER_LIST_LIMIT = 50;

function sendOrder(reply: FastifyReply, order: Order, replayed: boolean) {
  // The same status and body as the first answer; the header tells a client it was a repeat.
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(201).send({ order });
}

/** Registers the checkout routes on a scope where `request.session` exists. */
export function checkoutRoutes(app: FastifyInstance, deps: CheckoutRouteDeps): void {
  const { users, orders, isAdmin, metrics, now, stepUpAbove } = deps;

  app.get('/checkout', async (request) => {
    requireUser(request, users);
    const { session } = request;
    const cart = toCart(session.get('cart'));
    const state = readCheckout(session.get(CHECKOUT_KEY));
    return { step: currentStep(cart, state), ...state, ...priceCart(cart) };
  });

  app.post<{ Body: AddressBody }>('/checkout/address', { schema: addressSchema }, async (request) => {
    requireUser(request, users);
    const address = request.body;
    request.session.update(CHECKOUT_KEY, (current) => ({ ...readCheckout(current), address }));
    return { step: currentStep(toCart(request.session.get('cart')), readCheckout(request.session.get(CHECKOUT_KEY))), address };
  });

  app.post<{ Body: PaymentBody }>('/checkout/payment', { schema: paymentSchema }, async (request) => {
    requireUser(request, users);
    const { session } = request;
    // Steps in order: a wizard that accepted the payment before the address would let a
    // client skip a step the review screen relies on.
    if (!readCheckout(session.get(CHECKOUT_KEY)).address) throw new HttpError(409, 'ERR_CHECKOUT_STEP', 'Enter the delivery address first.');
    const payment = { method: request.body.method };
    session.update(CHECKOUT_KEY, (current) => ({ ...readCheckout(current), payment }));
    return { step: currentStep(toCart(session.get('cart')), readCheckout(session.get(CHECKOUT_KEY))), payment };
  });

  app.post<{ Body: PlaceOrderBody }>('/checkout/place', { schema: placeOrderSchema }, async (request, reply) => {
    const user = requireSelf(request, users, isAdmin);
    const { session } = request;
    const key = request.body.idempotency_key;

    const earlier = readClaims(session.get(PLACED_KEY)).find((claim) => claim.key === key);
    if (earlier) {
      const order = orders.find(user.id, earlier.orderId);
      if (order) {
        // The committed claim is what places an order; the status column only mirrors it,
        // so a claim whose owner stopped before marking it is completed here.
        orders.confirm(order.id);
        metrics.orders.duplicates.inc({ kind: 'replay' });
        return sendOrder(reply, order, true);
      }
    }

    const cart = toCart(session.get('cart'));
    const state = readCheckout(session.get(CHECKOUT_KEY));
    const step = currentStep(cart, state);
    if (step !== 'review' || !state.address || !state.payment) {
      throw new HttpError(409, 'ERR_CHECKOUT_INCOMPLETE', step === 'cart' ? 'Your cart is empty.' : `Complete the ${step} step first.`);
    }
    const priced = priceCart(cart);
    if (priced.unknown.length > 0) throw new HttpError(409, 'ERR_CHECKOUT_UNKNOWN_ITEM', 'Your cart holds items that are no longer sold; remove them first.');
    // A large order needs a fresh authentication, before anything is written: a stolen or
    // forgotten cookie alone cannot spend much. The 403 carries the challenge for /reauth. (SU-09)
    if (stepUpAbove !== null && priced.total_cents > stepUpAbove) await session.requireFresh({ within: REAUTH_WINDOW_MS });

    const order: Order = {
      id: randomUUID(),
      lines: priced.lines,
      total_cents: priced.total_cents,
      address: state.address,
      payment: state.payment,
      placed_at: now(),
    };
    orders.insertPending(user.id, order);
    // `owner` is set by the claim's last run: at commit, after any replay on fresher data,
    // it names the order that really holds the key. Only the owner takes the ordered items
    // out of the cart (lines added meanwhile stay) and resets the wizard.
    let owner = order.id;
    session.update(PLACED_KEY, (current) => {
      const result = claimKey(current, key, order.id);
      owner = result.owner;
      return result.claims;
    });
    session.update('cart', (current) => (owner === order.id ? removeOrdered(current, order.lines) : current));
    // The address is kept for next time; the payment is asked again for every order.
    session.update(CHECKOUT_KEY, (current) => (owner === order.id ? { address: readCheckout(current).address } : current));
    let cookies: string[];
    try {
      // Committed here rather than after the handler: whether this request placed the order
      // is only known once the claim is in the store.
      cookies = await session.commit();
    } catch (error) {
      orders.discard(order.id);
      throw error;
    }
    if (cookies.length > 0) reply.header('set-cookie', cookies).header('cache-control', 'no-store');
    if (!session.isAuthenticated) {
      // Logged out or revoked while this request ran: nothing was claimed.
      orders.discard(order.id);
      throw notAuthenticated(request);
    }
    if (owner !== order.id) {
      orders.discard(order.id);
      const first = orders.find(user.id, owner);
      if (!first) throw new HttpError(409, 'ERR_CHECKOUT_IN_PROGRESS', 'This order is being placed; check your orders in a moment.');
      orders.confirm(first.id);
      metrics.orders.duplicates.inc({ kind: 'concurrent' });
      return sendOrder(reply, first, true);
    }
    orders.confirm(order.id);
    metrics.orders.placed.inc();
    return sendOrder(reply, order, false);
  });

  // While viewing as a user, an admin sees that user's orders.
  app.get('/orders', async (request) => {
    const { user } = resolveActing(request, users, isAdmin);
    return { orders: orders.listPlaced(user.id, ORDER_LIST_LIMIT) };
  });
}
