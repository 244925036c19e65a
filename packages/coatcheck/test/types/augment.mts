// The README's augmentation: typed once, here, for the whole program.
export {};

declare module 'coatcheck' {
  interface SessionDataMap {
    cart: string[];
    theme: 'light' | 'dark';
  }
}
