/**
 * The cart, anonymous or logged in: `POST /cart/add`, `GET /cart`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { addToCart, checkAdd, MAX_CART_LINES, MAX_LINE_QUANTITY, toCart } from '../cart/cart.js';
import { findItem } from '../catalog/items.js';
import { HttpError } from '../http/errors.js';
import { cartAddSchema, type CartAddBody } from '../http/schemas.js';

/** Registers the cart routes on a scope where `request.session` exists. */
export function cartRoutes(app: FastifyInstance): void {
  app.post<{ Body: CartAddBody }>('/cart/add', { schema: cartAddSchema }, async (request) => {
    const itemId = Number(request.body.item_id);
    const { quantity } = request.body;
    // Checked before anything is stored: the cart only ever holds catalogue ids.
    if (!findItem(itemId)) throw new HttpError(404, 'ERR_UNKNOWN_ITEM', 'No item with that id; GET /items lists them.');
    const { session } = request;
    const refused = checkAdd(toCart(session.get('cart')), itemId, quantity);
    if (refused === 'full') throw new HttpError(409, 'ERR_CART_FULL', `A cart holds at most ${MAX_CART_LINES} different items.`);
    if (refused === 'quantity') throw new HttpError(409, 'ERR_CART_QUANTITY', `At most ${MAX_LINE_QUANTITY} of one item.`);
    // update(), not get() + set(): when concurrent requests change the cart, the function is
    // replayed on the fresh cart at commit, so no add is lost. (SF-20)
    session.update('cart', (current) => addToCart(current, itemId, quantity));
    // This request's view; concurrent adds committed meanwhile show up on the next GET.
    return { cart: toCart(session.get('cart')) };
  });

  // Reading the cart of a visitor without a session creates nothing: no record, no cookie.
  app.get('/cart', async (request) => ({ cart: toCart(request.session.get('cart')) }));
}
