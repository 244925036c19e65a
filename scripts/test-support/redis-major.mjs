// Preloaded by `node scripts/test.mjs --redis=6`: every `import 'redis'` (tests, fixtures, the
// store, the shop) resolves to the `redis6` alias (redis@6), so the Redis suites run on the v6
// client without a second copy of any test.
import { register } from 'node:module';

register('./redis-major-hooks.mjs', import.meta.url);
