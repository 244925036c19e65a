// Exact type equality, for assertions that fail to compile when a type drifts.
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `A` and `B` are the same type. */
export function expectType<A, B>(_proof: Equal<A, B>): void {}
