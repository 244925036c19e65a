// Writes the package's node10 fallback declaration when it is packed (prepack), from this one
// template, so the public packages never carry one copy each of it in the repository.
// `typesVersions` in each package.json sends only TypeScript's old node10 resolution here;
// nodenext, node16 and bundler resolution read the `exports` map and never see this file.
import { writeFileSync } from 'node:fs';

export const ESM_ONLY_NOTE = 'esm-only.set-moduleResolution-nodenext-or-bundler.d.ts';

const TEXT = `// This package is ESM-only. TypeScript finds its types through the "exports" map of its
// package.json, which "moduleResolution": "node10" (also spelled "node", and the default
// of "module": "commonjs") ignores: that resolution lands here instead, and the import
// fails with "File '…/${ESM_ONLY_NOTE}' is not a
// module". The fix is one line of tsconfig.json:
//
//   "module": "nodenext"            for code that Node runs (it implies the resolution), or
//   "moduleResolution": "bundler"   with "module": "preserve" or "esnext", for bundlers and tsx.
//
// This file deliberately declares nothing.
`;

// Run from a package folder (npm runs lifecycle scripts there).
if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(ESM_ONLY_NOTE, TEXT);
