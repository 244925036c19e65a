// Loaded with --import into a server by bench/profile.mjs. The first SIGUSR2 starts the V8
// CPU profiler (after warm-up); the second stops it and writes $PROFILE_OUT (.cpuprofile).
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

let running = false;
process.on('SIGUSR2', async () => {
  if (!running) {
    running = true;
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US ?? 250) });
    await post('Profiler.start');
    return;
  }
  running = false;
  const { profile } = await post('Profiler.stop');
  const out = process.env.PROFILE_OUT;
  writeFileSync(`${out}.tmp`, JSON.stringify(profile));
  renameSync(`${out}.tmp`, out); // appears complete or not at all
});
