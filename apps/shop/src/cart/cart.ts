/**
 * The cart: a list of `{ item_id, quantity }` lines, one per item id, kept in the session
 * under the key `cart`.
 *
 * @module
 */

/** One cart line. */
export interface CartLine {
  /** A catalogue id: a positive integer. */
  readonly item_id: number;
  readonly quantity: number;
}

/** Most distinct items in one cart; keeps the session small. */
export const MAX_CART_LINES = 100;
/** Most units of one item. */
export const MAX_LINE_QUANTITY = 999;

/**
 * Reads a cart from session data. Session data comes back from the store untyped, so
 * anything that is not a well-formed line is dropped rather than trusted: this includes
 * lines with the string ids of earlier versions (`"apple"`), which no longer name an item.
 */
export function toCart(value: unknown): CartLine[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (line): line is CartLine =>
      typeof line === 'object' &&
      line !== null &&
      Number.isSafeInteger(line.item_id) &&
      line.item_id > 0 &&
      Number.isInteger(line.quantity) &&
      line.quantity > 0,
  );
}

/** Why an add was refused, or `null` when it fits. */
export function checkAdd(cart: readonly CartLine[], itemId: number, quantity: number): 'full' | 'quantity' | null {
  const line = cart.find((l) => l.item_id === itemId);
  if (!line) return cart.length >= MAX_CART_LINES ? 'full' : null;
  return line.quantity + quantity > MAX_LINE_QUANTITY ? 'quantity' : null;
}

/**
 * Adds `quantity` units of an item: merged into its line, or appended as a new line.
 *
 * Pure, because it is passed to `session.update`, which runs it again on the fresh cart when
 * a concurrent request changed the session first. Limits are clamped here rather than
 * thrown: {@link checkAdd} refuses over-limit adds up front, and a replay after a race must
 * still produce a valid cart.
 */
export function addToCart(current: unknown, itemId: number, quantity: number): CartLine[] {
  const cart = toCart(current);
  const index = cart.findIndex((line) => line.item_id === itemId);
  if (index === -1) {
    return cart.length >= MAX_CART_LINES ? cart : [...cart, { item_id: itemId, quantity: Math.min(quantity, MAX_LINE_QUANTITY) }];
  }
  return cart.map((line, i) => (i === index ? { item_id: line.item_id, quantity: Math.min(line.quantity + quantity, MAX_LINE_QUANTITY) } : line));
}
