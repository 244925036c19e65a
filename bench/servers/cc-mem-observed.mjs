// (cc-mem-observed) cc-mem with both exporters on, in an app that traces its HTTP requests:
// see observe-both.mjs for the configuration and why it has a request span. Run with
// --conditions=source --import tsx.
import { createServer } from 'node:http';
import { memoryStore } from 'coatcheck/memory';
import { startCoatcheckServer } from './cc-app.mjs';
import { createTracing, observeBoth, tracedServerFactory } from './observe-both.mjs';

const tracer = createTracing();
await startCoatcheckServer(memoryStore({ quiet: true }), {}, observeBoth(tracer), { serverFactory: tracedServerFactory(tracer, createServer) });
