// Diagnostic (cc-mem-defer): cc-mem with the store lookup completed on a later event-loop turn
// (setImmediate), like a networked store. Same work per request; shows the scheduling effect
// described at the end of "The authenticated read" in docs/benchmarks.md.
import { memoryStore } from 'coatcheck/memory';
import { startCoatcheckServer } from './cc-app.mjs';

const inner = memoryStore({ quiet: true });
const store = {
  ...inner,
  get: (id, at) => new Promise((resolve, reject) => setImmediate(() => inner.get(id, at).then(resolve, reject))),
};
await startCoatcheckServer(store);
