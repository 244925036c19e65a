// This package is ESM-only. TypeScript finds its types through the "exports" map of its
// package.json, which "moduleResolution": "node10" (also spelled "node", and the default
// of "module": "commonjs") ignores: that resolution lands here instead, and the import
// fails with "File '…/esm-only.set-moduleResolution-nodenext-or-bundler.d.ts' is not a
// module". The fix is one line of tsconfig.json:
//
//   "module": "nodenext"            for code that Node runs (it implies the resolution), or
//   "moduleResolution": "bundler"   with "module": "preserve" or "esnext", for bundlers and tsx.
//
// This file deliberately declares nothing.
