// The reference store must pass its own contract: this is also what keeps the suite honest,
// since the model-based test compares every other store against memoryStore.
import { describeStoreConformance } from '@coatcheck/conformance';
import { memoryStore } from 'coatcheck/memory';

describeStoreConformance('memoryStore', () => memoryStore({ sweepIntervalMs: 0, quiet: true }));

// The lenient paths for stores with native expiry (Redis): a store whose expired records
// vanish on their own and whose prune therefore reports 0.
describeStoreConformance(
  'memoryStore behaving like a native-expiry store',
  () => {
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    return {
      ...store,
      name: 'memory-native-expiry',
      async prune(at: number) {
        await store.prune(at);
        return 0;
      },
    };
  },
  { nativeExpiry: true, numRuns: 30 },
);
