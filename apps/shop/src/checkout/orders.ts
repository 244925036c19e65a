/**
 * Placed orders, in SQLite next to the users. Sessions hold the checkout only until the order
 * is placed; orders outlive sessions.
 *
 * A row is written as `pending` before the session claims its idempotency key, and becomes
 * `placed` once the claim is committed; a request that lost the claim to a concurrent
 * duplicate deletes its row. So a claim never points at a missing row, and a duplicate never
 * shows in the order list.
 *
 * @module
 */
import type { SqliteConnection } from '@coatcheck/sqlite';
import type { Address, OrderLine, PaymentMethod } from './checkout.js';

/** An order as the API shows it. */
export interface Order {
  readonly id: string;
  readonly lines: readonly OrderLine[];
  readonly total_cents: number;
  readonly address: Address;
  readonly payment: { readonly method: PaymentMethod };
  readonly placed_at: number;
}

/** The orders table. */
export interface OrderStore {
  /** Writes a pending order. */
  insertPending(userId: string, order: Order): void;
  /** Marks a pending order placed. */
  confirm(id: string): void;
  /** Deletes a pending order that lost its claim. */
  discard(id: string): void;
  /** An order of `userId` by id, pending or placed. */
  find(userId: string, id: string): Order | null;
  /** `userId`'s placed orders, newest first. */
  listPlaced(userId: string, limit: number): Order[];
}

interface OrderRow {
  body: string;
}

/** Creates the `orders` table if missing and returns the order store. */
export function createOrderStore(db: SqliteConnection): OrderStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS orders (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'placed')),
      body TEXT NOT NULL,
      placed_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, placed_at);
  `);
  const insert = db.prepare("INSERT INTO orders (id, user_id, status, body, placed_at) VALUES (?, ?, 'pending', ?, ?)");
  const confirm = db.prepare("UPDATE orders SET status = 'placed' WHERE id = ?");
  const discard = db.prepare("DELETE FROM orders WHERE id = ? AND status = 'pending'");
  const find = db.prepare<OrderRow>('SELECT body FROM orders WHERE id = ? AND user_id = ?');
  const list = db.prepare<OrderRow>("SELECT body FROM orders WHERE user_id = ? AND status = 'placed' ORDER BY placed_at DESC, rowid DESC LIMIT ?");
  const parse = (row: OrderRow) => JSON.parse(row.body) as Order;
  return {
    insertPending: (userId, order) => void insert.run(order.id, userId, JSON.stringify(order), order.placed_at),
    confirm: (id) => void confirm.run(id),
    discard: (id) => void discard.run(id),
    find(userId, id) {
      const row = find.get(id, userId);
      return row ? parse(row) : null;
    },
    listPlaced: (userId, limit) => list.all(userId, limit).map(parse),
  };
}
