// (cx-mem) Express 5 + @coatcheck/express + memoryStore: compare with (c), express-session MemoryStore.
import { memoryStore } from 'coatcheck/memory';
import { startExpressCoatcheckServer } from './cx-app.mjs';

await startExpressCoatcheckServer(memoryStore({ quiet: true }));
