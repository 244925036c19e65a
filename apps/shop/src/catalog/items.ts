/**
 * The catalogue: a fixed list of items, as a real shop would read from its product table.
 * Prices are integer cents, so totals never meet floating-point rounding. Ids are positive
 * integers, as in a product table (and as the FastAPI tutorial's client sends them: item 42).
 *
 * @module
 */

/** One item for sale. */
export interface Item {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly price_cents: number;
}

/** Every item, in display order. */
export const ITEMS: readonly Item[] = Object.freeze(
  [
    { id: 1, name: 'Apple', description: 'Crisp, from the orchard down the road.', price_cents: 60 },
    { id: 2, name: 'Pear', description: 'Ripe on Thursday, gone by Friday.', price_cents: 75 },
    { id: 3, name: 'Sourdough loaf', description: 'Baked this morning; keeps three days.', price_cents: 450 },
    { id: 4, name: 'Aged cheddar', description: '250 g, eighteen months in the cave.', price_cents: 690 },
    { id: 5, name: 'Coffee beans', description: '500 g, medium roast, whole bean.', price_cents: 1290 },
    { id: 6, name: 'Green tea', description: '100 g of loose leaves.', price_cents: 840 },
    { id: 42, name: 'Towel', description: 'Cotton, 70 × 140 cm. Always know where yours is.', price_cents: 1500 },
  ].map((item) => Object.freeze(item)),
);

const BY_ID = new Map(ITEMS.map((item) => [item.id, item]));

/** The item with this id, or `undefined`. */
export function findItem(id: number): Item | undefined {
  return BY_ID.get(id);
}
