// The IPC side shared by the fan-out servers (coatcheck, Socket.IO, the hand-rolled floor):
// each server only says how it broadcasts one message and how it stops; the measurement
// loop is the same code for all of them.
//
// { cmd: 'fanout', count, size, spaced }  broadcast `count` messages to the room "bench";
//   spaced=false: all in one tick (a burst; writes may be coalesced per socket);
//   spaced=true:  one per event-loop turn (each broadcast alone, nothing to coalesce).
//   Answers { done, serverMs }: until the event loop is free after the last one, i.e. every
//   frame is in the kernel.
// { cmd: 'cpu' }      answers { cpuMs } used since the last fanout started.
// { cmd: 'publish' }  broadcasts a timestamp { t } (cross-instance latency).
// { cmd: 'stop' }     stops the server and exits.

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * @param {{ broadcast(payload: unknown): unknown, stop(): Promise<void> | void }} server
 *   `broadcast` sends one message to the room on this instance and every other; it may
 *   return a promise (settled when the other instances were told), which is not awaited
 *   between messages, as Socket.IO's emit does not wait for Redis either.
 */
export function serveFanoutCommands(server, ready) {
  let cpuAtStart = process.cpuUsage();
  process.on('message', async (message) => {
    if (message.cmd === 'cpu') {
      const used = process.cpuUsage(cpuAtStart);
      process.send({ cpuMs: (used.user + used.system) / 1000 });
    } else if (message.cmd === 'fanout') {
      cpuAtStart = process.cpuUsage();
      const payload = 'x'.repeat(message.size);
      const sent = [];
      const started = performance.now();
      for (let i = 0; i < message.count; i++) {
        sent.push(server.broadcast(payload));
        if (message.spaced) await turn();
      }
      if (!message.spaced) await turn();
      const serverMs = performance.now() - started;
      await Promise.all(sent);
      process.send({ done: true, serverMs });
    } else if (message.cmd === 'publish') {
      await server.broadcast({ t: performance.timeOrigin + performance.now() });
    } else if (message.cmd === 'stop') {
      await server.stop();
      process.exit(0);
    }
  });
  process.send({ ready: true, ...ready });
}
