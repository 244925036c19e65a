import { useState } from 'react';
import { messageOf, money, type Item } from '../api';

/** The items for sale, each with an "Add to cart" button. Works without logging in. */
export function Catalog({ items, onAdd, onError }: { items: Item[]; onAdd: (id: number) => Promise<void>; onError: (message: string) => void }) {
  const [busy, setBusy] = useState<number | null>(null);
  const add = async (id: number) => {
    setBusy(id);
    try {
      await onAdd(id);
    } catch (error) {
      onError(messageOf(error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="catalog-title">
      <h2 id="catalog-title">Items</h2>
      <ul className="items">
        {items.map((item) => (
          <li key={item.id} className="card">
            <h3>{item.name}</h3>
            <p>{item.description}</p>
            <div className="row">
              <span className="price">{money(item.price_cents)}</span>
              <button type="button" onClick={() => add(item.id)} disabled={busy === item.id} aria-label={`Add ${item.name} to cart`}>
                Add to cart
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
