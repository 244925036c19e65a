// Starts a scratch app and drives it over HTTP through the flows the docs promise
// (the contracts are in the project's contributor notes): a failure names the app, the step
// and carries the app's output.
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from './exec.mjs';
import { createCookieJar, describe, send } from './http.mjs';

/** Just past @coatcheck/tokens' default `refresh.graceSeconds` (10). */
const REFRESH_GRACE_MS = 11_000;

/** The demo user of the bearer guide's app (its `users` map and its curl lines say the same). */
export const DEMO_USER = Object.freeze({ username: 'alice', password: 'wonderland' });

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, 'localhost');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** The command that runs `entry`: TypeScript through the scratch project's tsx, JavaScript with node. */
export function runCommandFor(entry, scratch) {
  return entry.endsWith('.ts') ? [process.execPath, [join(scratch, 'node_modules/tsx/dist/cli.mjs'), entry]] : [process.execPath, [entry]];
}

/** The environment an app starts with: the user's shell, minus the test runner's own settings. */
export function appEnv(extra) {
  const env = { ...process.env, ...extra };
  for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'SESSION_SECRET', 'TOKEN_KEYS', 'PORT']) if (!(name in extra)) delete env[name];
  return env;
}

/** Starts the app and waits until it accepts connections; throws with its output if it exits or never listens. */
export async function startApp({ app, appDir, entry, scratch, env }) {
  const port = await freePort();
  const [command, args] = runCommandFor(entry, scratch);
  const proc = startProcess(command, args, { cwd: appDir, env: appEnv({ ...env, PORT: String(port) }) });
  const deadline = Date.now() + 60_000;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (!(await accepts(port))) {
    if (exited) throw new Error(`${app}: step "start" failed: the app exited before listening on PORT=${port}\n${proc.output()}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${app}: step "start" failed: nothing listened on PORT=${port} within 60 s\n${proc.output()}`);
    }
    await sleep(100);
  }
  return { proc, base: `http://localhost:${port}` };
}

/** Runs the steps; the first failing one throws with the app, the step and the app's output. */
async function runSteps(app, proc, steps) {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      throw new Error(`${app}: step "${name}" failed: ${error.message}\n${proc.output()}`);
    }
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** add to cart → login (cart kept, new cookie) → devices → logout (cookie cleared). */
export async function driveCookieApp({ app, proc, base }) {
  const jar = createCookieJar();
  let sessionCookie;
  await runSteps(app, proc, [
    [
      'add to cart',
      async () => {
        const answer = await send(base, 'POST', '/cart/add', { json: { item_id: 'sku-1' }, jar });
        expect(
          answer.status === 200 && same(answer.body?.cart, ['sku-1']),
          `POST /cart/add {"item_id":"sku-1"} expected 200 {"cart":["sku-1"]}, got ${describe(answer)}`,
        );
        expect(answer.cookies.length > 0, `POST /cart/add set no cookie: ${describe(answer)}`);
        sessionCookie = answer.cookies[0].name;
      },
    ],
    [
      'login',
      async () => {
        const before = jar.get(sessionCookie);
        const answer = await send(base, 'POST', '/login', { json: { username: 'ada' }, jar });
        expect(answer.status === 200, `POST /login expected 200, got ${describe(answer)}`);
        expect(
          answer.cookies.some((c) => c.name === sessionCookie && !c.cleared && c.value !== before),
          `POST /login did not set a new ${sessionCookie} cookie: ${describe(answer)}`,
        );
      },
    ],
    [
      'cart kept after login',
      async () => {
        const answer = await send(base, 'POST', '/cart/add', { json: { item_id: 'sku-2' }, jar });
        expect(
          answer.status === 200 && same(answer.body?.cart, ['sku-1', 'sku-2']),
          `POST /cart/add {"item_id":"sku-2"} after login expected {"cart":["sku-1","sku-2"]}, got ${describe(answer)}`,
        );
      },
    ],
    [
      'devices',
      async () => {
        const answer = await send(base, 'GET', '/devices', { jar });
        expect(answer.status === 200 && Array.isArray(answer.body), `GET /devices expected 200 and a JSON array, got ${describe(answer)}`);
        expect(
          answer.body.filter((device) => device?.current === true).length === 1,
          `GET /devices expected exactly one device with current: true, got ${describe(answer)}`,
        );
      },
    ],
    [
      'logout',
      async () => {
        const answer = await send(base, 'POST', '/logout', { json: {}, jar });
        expect(answer.status === 200, `POST /logout expected 200, got ${describe(answer)}`);
        expect(
          answer.cookies.some((c) => c.name === sessionCookie && c.cleared),
          `POST /logout did not clear the ${sessionCookie} cookie: ${describe(answer)}`,
        );
      },
    ],
    [
      'anonymous again after logout',
      async () => {
        const answer = await send(base, 'POST', '/cart/add', { json: { item_id: 'sku-3' }, jar });
        expect(
          answer.status === 200 && same(answer.body?.cart, ['sku-3']),
          `POST /cart/add after logout expected a new cart {"cart":["sku-3"]}, got ${describe(answer)}`,
        );
      },
    ],
  ]);
}

function expectPair(answer, what) {
  expect(
    answer.status === 200 && typeof answer.body?.access_token === 'string' && typeof answer.body?.refresh_token === 'string',
    `${what} expected 200 {access_token, refresh_token}, got ${describe(answer)}`,
  );
  return answer.body;
}

/** anonymous → cart → token login (cart kept) → refresh → old refresh rejected → revoke → 401. */
export async function driveBearerApp({ app, proc, base }) {
  let pair;
  let previous;
  await runSteps(app, proc, [
    [
      'anonymous login',
      async () => {
        pair = expectPair(await send(base, 'POST', '/anonymous-login', { json: {} }), 'POST /anonymous-login');
      },
    ],
    [
      'add to cart',
      async () => {
        const answer = await send(base, 'POST', '/cart/add', { json: { item_id: 'sku-1' }, bearer: pair.access_token });
        expect(
          answer.status === 200 && same(answer.body?.cart, ['sku-1']),
          `POST /cart/add with the anonymous bearer expected {"cart":["sku-1"]}, got ${describe(answer)}`,
        );
      },
    ],
    [
      'token login',
      async () => {
        pair = expectPair(await send(base, 'POST', '/token', { json: DEMO_USER, bearer: pair.access_token }), `POST /token ${JSON.stringify(DEMO_USER)}`);
      },
    ],
    [
      'cart kept after login',
      async () => {
        const answer = await send(base, 'POST', '/cart/add', { json: { item_id: 'sku-2' }, bearer: pair.access_token });
        expect(
          answer.status === 200 && same(answer.body?.cart, ['sku-1', 'sku-2']),
          `POST /cart/add after login expected {"cart":["sku-1","sku-2"]}, got ${describe(answer)}`,
        );
      },
    ],
    [
      'user/me',
      async () => {
        const answer = await send(base, 'GET', '/user/me', { bearer: pair.access_token });
        expect(
          answer.status === 200 && typeof answer.body?.current_user_id === 'string' && !answer.body.current_user_id.startsWith('anonymous_'),
          `GET /user/me after login expected 200 {current_user_id}, got ${describe(answer)}`,
        );
        const anonymous = await send(base, 'GET', '/user/me');
        expect(
          anonymous.status === 401 && /^bearer/i.test(anonymous.headers.get('www-authenticate') ?? ''),
          `GET /user/me without a bearer expected 401 with WWW-Authenticate: Bearer, got ${describe(anonymous)} (WWW-Authenticate: ${anonymous.headers.get('www-authenticate')})`,
        );
      },
    ],
    [
      'refresh',
      async () => {
        previous = pair;
        pair = expectPair(await send(base, 'POST', '/token/refresh', { json: { refresh_token: previous.refresh_token } }), 'POST /token/refresh');
        expect(pair.refresh_token !== previous.refresh_token, 'POST /token/refresh returned the same refresh token');
      },
    ],
    [
      'old refresh token rejected',
      async () => {
        // A replay within the refresh grace window (parallel tabs; 10 s by default) is answered
        // like the first use: wait past the default window, then the old token must be refused.
        await sleep(REFRESH_GRACE_MS);
        const answer = await send(base, 'POST', '/token/refresh', { json: { refresh_token: previous.refresh_token } });
        expect(answer.status === 401, `replaying the old refresh token expected 401, got ${describe(answer)}`);
      },
    ],
    [
      'revoke with the access token',
      async () => {
        // The replay above may have ended the family (reuse detection): log in again for a live pair.
        const fresh = expectPair(await send(base, 'POST', '/anonymous-login', { json: {} }), 'POST /anonymous-login');
        pair = expectPair(await send(base, 'POST', '/token', { json: DEMO_USER, bearer: fresh.access_token }), 'POST /token');
        const live = await send(base, 'GET', '/user/me', { bearer: pair.access_token });
        expect(live.status === 200, `GET /user/me before revoking expected 200, got ${describe(live)}`);
        const answer = await send(base, 'POST', '/token/revoke', { json: { token: pair.access_token } });
        expect(
          answer.status === 200 && answer.body?.ok === true,
          `POST /token/revoke {"token": <access token>} expected 200 {"ok":true}, got ${describe(answer)}`,
        );
      },
    ],
    [
      'access token refused after revoke',
      async () => {
        const answer = await send(base, 'GET', '/user/me', { bearer: pair.access_token });
        expect(answer.status === 401, `GET /user/me with the revoked access token expected 401, got ${describe(answer)}`);
      },
    ],
  ]);
}

/** The app started without SESSION_SECRET must stop non-zero and name SESSION_SECRET on stderr. */
export async function expectMissingSecretFailure({ app, appDir, entry, scratch, env }) {
  const port = await freePort();
  const [command, args] = runCommandFor(entry, scratch);
  const proc = startProcess(command, args, { cwd: appDir, env: appEnv({ ...env, PORT: String(port) }) });
  // The timer is cancelled once the race is decided: a pending one keeps this process alive.
  const timer = new AbortController();
  const outcome = await Promise.race([proc.exited, sleep(60_000, undefined, { signal: timer.signal }).then(() => undefined)]);
  timer.abort();
  if (!outcome) {
    await proc.stop();
    throw new Error(
      `${app}: step "start without SESSION_SECRET" failed: still running after 60 s (expected a configuration error naming SESSION_SECRET)\n${proc.output()}`,
    );
  }
  if (outcome.code === 0 || !proc.stderr().includes('SESSION_SECRET')) {
    throw new Error(
      `${app}: step "start without SESSION_SECRET" failed: expected a non-zero exit and SESSION_SECRET named on stderr, got exit ${outcome.code ?? outcome.signal}\n${proc.output()}`,
    );
  }
}

/** A fresh session secret, as the docs generate one. */
export const newSecret = () => randomBytes(32).toString('base64');
