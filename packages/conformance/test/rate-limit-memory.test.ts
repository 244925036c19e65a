// The in-process rate-limit backend passes the backend contract: one backend object stands
// for the storage every "instance" shares, as it would in one process.
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { memoryRateLimit } from 'coatcheck/rate-limit';

const backend = memoryRateLimit();
describeRateLimitConformance('memoryRateLimit', () => backend, {
  cleanup: () => {},
  holds: async (key) => {
    // The backend exposes no reads; a zero-cost probe would change nothing, so probe with a
    // step that can never pass: refused steps leave the key as it was.
    const outcome = await backend.consume(key, { now: 0, incrementMs: 2, capacityMs: 1 });
    return outcome.tat > 0;
  },
});
