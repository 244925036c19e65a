import { useEffect, useState } from 'react';
import { api, messageOf, money, when, type Order } from '../api';

/** Placed orders, newest first (the viewed user's while an admin views as them). */
export function OrdersPanel() {
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.orders().then(
      ({ orders }) => setOrders(orders),
      (e) => setError(messageOf(e)),
    );
  }, []);
  return (
    <section className="card" aria-labelledby="orders-title" aria-busy={orders === null && !error} data-testid="orders">
      <h2 id="orders-title">Orders</h2>
      {error && <p className="error">{error}</p>}
      {orders?.length === 0 && <p className="muted">No orders yet.</p>}
      <ul className="orders">
        {orders?.map((order) => (
          <li key={order.id} data-testid="order">
            <strong>{when(order.placed_at)}</strong> · {money(order.total_cents)} · {order.lines.map((line) => `${line.quantity} × ${line.name}`).join(', ')}
          </li>
        ))}
      </ul>
    </section>
  );
}
