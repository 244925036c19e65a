// (cc-mem-observed) cc-mem with both exporters on, in an app that traces its HTTP requests:
// see observe-both.mjs for the configuration and why it has a request span.
// (cc-mem-exporters) HTTP_TRACING=0: both exporters installed with their defaults in an app
// that does not trace HTTP: metrics recorded, no session span without a parent.
// (cc-mem-http-traced) EXPORTERS=0: the request span alone, no exporter: what the exporters
// are compared with in a traced app.
import { createServer } from 'node:http';
import { memoryStore } from 'coatcheck/memory';
import { startCoatcheckServer } from './cc-app.mjs';
import { createTracing, observeBoth, tracedServerFactory } from './observe-both.mjs';

const tracer = createTracing();
const observe = process.env.EXPORTERS === '0' ? undefined : observeBoth(tracer);
const fastifyOptions = process.env.HTTP_TRACING === '0' ? {} : { serverFactory: tracedServerFactory(tracer, createServer) };
await startCoatcheckServer(memoryStore({ quiet: true }), {}, observe, fastifyOptions);
