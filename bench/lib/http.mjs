// Login and the functional checks made before every load test.
const base = (port) => `http://127.0.0.1:${port}`;

/**
 * POST /login; returns the credential as a request header line: `Cookie: …` built from the
 * Set-Cookie response, or, for bearer variants, `Authorization: Bearer <access_token>` from
 * the JSON body. `null` when there is none.
 */
export async function login(port, variant = {}) {
  const res = await fetch(`${base(port)}/login`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`POST /login answered ${res.status}: ${await res.text()}`);
  if (variant.bearer) {
    const body = await res.json();
    if (res.headers.getSetCookie().length > 0) throw new Error('POST /login of a bearer variant set a cookie');
    return typeof body?.access_token === 'string' ? `Authorization: Bearer ${body.access_token}` : null;
  }
  await res.arrayBuffer();
  const pairs = res.headers.getSetCookie().map((line) => line.split(';')[0].trim());
  return pairs.length > 0 ? `Cookie: ${pairs.join('; ')}` : null;
}

/** `{ name: value }` of a header line (`Name: value`), or `{}`. */
export function headerOf(line) {
  if (!line) return {};
  const at = line.indexOf(':');
  return { [line.slice(0, at).trim().toLowerCase()]: line.slice(at + 1).trim() };
}

async function get(port, path, credential) {
  const res = await fetch(`${base(port)}${path}`, { headers: headerOf(credential) });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text, setCookie: res.headers.getSetCookie() };
}

/**
 * GET /me with the credential (cookie or bearer token) must be 200 {userId:'u_42', counter:0} without Set-Cookie; for
 * session variants, without the cookie it must be 401. Throws otherwise.
 */
export async function verify(port, credential, { session }) {
  const me = await get(port, '/me', credential);
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
export async function verifyWrite(port, credential) {
  // What a browser's same-origin fetch sends: coatcheck's CSRF check refuses a cookie-carrying
  // POST without it (or an Origin, or the token). Bearer requests are exempt anyway.
  const res = await fetch(`${base(port)}/inc`, { method: 'POST', headers: { ...headerOf(credential), 'sec-fetch-site': 'same-origin' } });
  if (res.status !== 200) throw new Error(`POST /inc answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  const me = await get(port, '/me', credential);
  if (me.status !== 200 || me.body?.counter !== 1) throw new Error(`after POST /inc, GET /me returned ${me.status} ${me.text}`);
}

/**
 * `--check` only, for variants marked `revocable`: POST /logout ends the session, and the
 * same credential must then be refused (401) by GET /me. Bearer variants prove here that the
 * token cache never outlives its session.
 */
export async function verifyRevoked(port, credential) {
  const res = await fetch(`${base(port)}/logout`, { method: 'POST', headers: headerOf(credential) });
  if (res.status !== 200) throw new Error(`POST /logout answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  const me = await get(port, '/me', credential);
  if (me.status !== 401) throw new Error(`after POST /logout, GET /me with the same credential answered ${me.status}, expected 401`);
}
