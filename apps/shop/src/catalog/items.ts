/**
 * The catalogue: a fixed list of items, as a real shop would read from its product table.
 * Prices are integer cents, so totals never meet floating-point rounding.
 *
 * @module
 */

/** One item for sale. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly price_cents: number;
}

/** Every item, in display order. */
export const ITEMS: readonly Item[] = Object.freeze([
  { id: 'apple', name: 'Apple', description: 'Crisp, from the orchard down the road.', price_cents: 60 },
  { id: 'pear', name: 'Pear', description: 'Ripe on Thursday, gone by Friday.', price_cents: 75 },
  { id: 'bread', name: 'Sourdough loaf', description: 'Baked this morning; keeps three days.', price_cents: 450 },
  { id: 'cheese', name: 'Aged cheddar', description: '250 g, eighteen months in the cave.', price_cents: 690 },
  { id: 'coffee', name: 'Coffee beans', description: '500 g, medium roast, whole bean.', price_cents: 1290 },
  { id: 'tea', name: 'Green tea', description: '100 g of loose leaves.', price_cents: 840 },
].map((item) => Object.freeze(item)));

const BY_ID = new Map(ITEMS.map((item) => [item.id, item]));

/** The item with this id, or `undefined`. */
export function findItem(id: string): Item | undefined {
  return BY_ID.get(id);
}
