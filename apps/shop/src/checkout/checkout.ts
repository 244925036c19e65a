/**
 * The checkout wizard's state, kept in the session between steps (address, then payment,
 * then review), and the pure functions that turn a cart into an order.
 *
 * Session keys: `checkout` holds `{ address, payment }`; `placedOrders` holds the last few
 * idempotency keys with the order each one produced.
 *
 * @module
 */
import { findItem } from '../catalog/items.js';
import { toCart, type CartLine } from '../cart/cart.js';

/** Ways to pay. No card numbers: a real shop hands those to its payment provider. */
export const PAYMENT_METHODS = ['card', 'invoice', 'cash_on_delivery'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Where the order goes. */
export interface Address {
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly postcode: string;
  readonly country: string;
}

/** The wizard's answers so far. */
export interface CheckoutState {
  readonly address: Address | null;
  readonly payment: { readonly method: PaymentMethod } | null;
}

/** The step a person should be on: the first one that is not done. */
export type CheckoutStep = 'cart' | 'address' | 'payment' | 'review';

/** One priced order line. */
export interface OrderLine {
  readonly item_id: number;
  readonly name: string;
  readonly quantity: number;
  readonly price_cents: number;
}

/** A cart with prices. */
export interface PricedCart {
  readonly lines: OrderLine[];
  readonly total_cents: number;
  /** Item ids in the cart that are not in the catalogue. */
  readonly unknown: number[];
}

/** An idempotency key and the order it produced. */
export interface PlacedClaim {
  readonly key: string;
  readonly orderId: string;
}

/** Orders above this total (cents, 100.00) need a fresh authentication unless configured otherwise. */
export const DEFAULT_STEP_UP_CHECKOUT_ABOVE = 10_000;

export const CHECKOUT_KEY = 'checkout';
export const PLACED_KEY = 'placedOrders';
/** How many keys a session remembers; older ones can no longer be replayed. */
const MAX_PLACED_CLAIMS = 20;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function readAddress(value: unknown): Address | null {
  if (!isRecord(value)) return null;
  const { name, street, city, postcode, country } = value;
  if (!isText(name) || !isText(street) || !isText(city) || !isText(postcode) || !isText(country)) return null;
  return { name, street, city, postcode, country };
}

/** Reads the wizard state from session data; anything malformed counts as not done. */
export function readCheckout(value: unknown): CheckoutState {
  if (!isRecord(value)) return { address: null, payment: null };
  const method = isRecord(value.payment) ? value.payment.method : undefined;
  const payment = PAYMENT_METHODS.includes(method as PaymentMethod) ? { method: method as PaymentMethod } : null;
  return { address: readAddress(value.address), payment };
}

/** The first step that is not done. */
export function currentStep(cart: readonly CartLine[], state: CheckoutState): CheckoutStep {
  if (cart.length === 0) return 'cart';
  if (!state.address) return 'address';
  if (!state.payment) return 'payment';
  return 'review';
}

/** Prices a cart from the catalogue. */
export function priceCart(cart: readonly CartLine[]): PricedCart {
  const lines: OrderLine[] = [];
  const unknown: number[] = [];
  for (const { item_id, quantity } of cart) {
    const item = findItem(item_id);
    if (item) lines.push({ item_id, name: item.name, quantity, price_cents: item.price_cents });
    else unknown.push(item_id);
  }
  return { lines, total_cents: lines.reduce((sum, line) => sum + line.quantity * line.price_cents, 0), unknown };
}

/** Reads the remembered keys; malformed entries are dropped. */
export function readClaims(value: unknown): PlacedClaim[] {
  if (!Array.isArray(value)) return [];
  return value.filter((claim): claim is PlacedClaim => isRecord(claim) && isText(claim.key) && isText(claim.orderId));
}

/**
 * Claims `key` for `orderId` unless it is claimed already; returns the new list and the order
 * that owns the key. Pure: it runs again on the fresh list when a concurrent request changed
 * the session first, and then the earlier claim wins.
 */
export function claimKey(current: unknown, key: string, orderId: string): { claims: PlacedClaim[]; owner: string } {
  const claims = readClaims(current);
  const existing = claims.find((claim) => claim.key === key);
  if (existing) return { claims, owner: existing.orderId };
  return { claims: [...claims, { key, orderId }].slice(-MAX_PLACED_CLAIMS), owner: orderId };
}

/** Takes the ordered quantities out of a cart (lines added meanwhile stay). Pure. */
export function removeOrdered(current: unknown, ordered: readonly OrderLine[]): CartLine[] | undefined {
  const cart = toCart(current)
    .map((line) => {
      const taken = ordered.find((o) => o.item_id === line.item_id)?.quantity ?? 0;
      return { item_id: line.item_id, quantity: line.quantity - taken };
    })
    .filter((line) => line.quantity > 0);
  return cart.length > 0 ? cart : undefined;
}
