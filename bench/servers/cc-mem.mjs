// (cc-mem) Fastify + @coatcheck/fastify + memoryStore. Run with --conditions=source --import tsx.
import { memoryStore } from 'coatcheck/memory';
import { startCoatcheckServer } from './cc-app.mjs';

await startCoatcheckServer(memoryStore({ quiet: true }));
