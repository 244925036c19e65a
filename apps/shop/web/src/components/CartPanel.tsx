import { money, type CartLine, type Item } from '../api';

/** The cart, priced from the catalogue. Anonymous carts are kept through login. */
export function CartPanel({ items, cart, loggedIn }: { items: Item[]; cart: CartLine[]; loggedIn: boolean }) {
  const byId = new Map(items.map((item) => [item.id, item]));
  const total = cart.reduce((sum, line) => sum + line.quantity * (byId.get(line.item_id)?.price_cents ?? 0), 0);
  return (
    <aside className="card cart" aria-labelledby="cart-title">
      <h2 id="cart-title">Your cart</h2>
      {cart.length === 0 ? (
        <p className="muted">Empty. Add something, no account needed.</p>
      ) : (
        <>
          <ul className="lines" data-testid="cart-lines">
            {cart.map((line) => (
              <li key={line.item_id}>
                <span>
                  {line.quantity} × {byId.get(line.item_id)?.name ?? line.item_id}
                </span>
                <span>{money(line.quantity * (byId.get(line.item_id)?.price_cents ?? 0))}</span>
              </li>
            ))}
          </ul>
          <p className="total">
            Total <strong>{money(total)}</strong>
          </p>
          <a className="button" href="#/checkout">
            {loggedIn ? 'Check out' : 'Log in to check out'}
          </a>
        </>
      )}
      {!loggedIn && <p className="muted small">Your cart lives in a server-side session; logging in keeps it.</p>}
    </aside>
  );
}
