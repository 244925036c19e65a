// Login and the functional checks made before every load test.
const base = (port) => `http://127.0.0.1:${port}`;

/** POST /login; returns the Cookie request header built from the Set-Cookie response (or null). */
export async function login(port) {
  const res = await fetch(`${base(port)}/login`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`POST /login answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  const pairs = res.headers.getSetCookie().map((line) => line.split(';')[0].trim());
  return pairs.length > 0 ? pairs.join('; ') : null;
}

async function get(port, path, cookie) {
  const res = await fetch(`${base(port)}${path}`, { headers: cookie ? { cookie } : {} });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text, setCookie: res.headers.getSetCookie() };
}

/**
 * GET /me with the cookie must be 200 {userId:'u_42', counter:0} without Set-Cookie; for
 * session variants, without the cookie it must be 401. Throws otherwise.
 */
export async function verify(port, cookie, { session }) {
  const me = await get(port, '/me', cookie);
  if (me.status !== 200) throw new Error(`GET /me with the cookie answered ${me.status}: ${me.text}`);
  if (me.body?.userId !== 'u_42' || me.body?.counter !== 0) throw new Error(`GET /me returned ${me.text}`);
  if (me.setCookie.length > 0) throw new Error(`GET /me set a cookie: ${me.setCookie.join(' | ')}`);
  if (session) {
    const anon = await get(port, '/me', null);
    if (anon.status !== 401) throw new Error(`GET /me without a cookie answered ${anon.status}, expected 401`);
    if (anon.setCookie.length > 0) throw new Error(`GET /me without a cookie set a cookie: ${anon.setCookie.join(' | ')}`);
  }
}

/** `--check` only: POST /inc, then GET /me must show counter 1 (changes the session). */
export async function verifyWrite(port, cookie) {
  // What a browser's same-origin fetch sends: coatcheck's CSRF check refuses a cookie-carrying
  // POST without it (or an Origin, or the token).
  const res = await fetch(`${base(port)}/inc`, { method: 'POST', headers: cookie ? { cookie, 'sec-fetch-site': 'same-origin' } : {} });
  if (res.status !== 200) throw new Error(`POST /inc answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  const me = await get(port, '/me', cookie);
  if (me.status !== 200 || me.body?.counter !== 1) throw new Error(`after POST /inc, GET /me returned ${me.status} ${me.text}`);
}
