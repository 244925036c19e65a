// A small HTTP client for driving the scratch apps: a cookie jar, JSON in and out, and
// answers kept whole for failure messages.

/** A cookie jar for one user agent: Set-Cookie in, Cookie out; cleared cookies are dropped. */
export function createCookieJar() {
  const cookies = new Map();
  return {
    /** Applies the Set-Cookie headers of a response; returns what each did. */
    apply(response) {
      const changes = [];
      for (const header of response.headers.getSetCookie()) {
        const [pair, ...attributes] = header.split(';').map((part) => part.trim());
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        const maxAge = attributes.find((a) => /^max-age=/i.test(a));
        const expires = attributes.find((a) => /^expires=/i.test(a));
        const cleared = value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0) || (expires && Date.parse(expires.slice(8)) <= Date.now());
        if (cleared) cookies.delete(name);
        else cookies.set(name, value);
        changes.push({ name, value, cleared: Boolean(cleared) });
      }
      return changes;
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    get: (name) => cookies.get(name),
    names: () => [...cookies.keys()],
  };
}

/** Sends a request as a browser of the app's origin would; returns { status, headers, body, text, cookies }. */
export async function send(base, method, path, { json, jar, bearer } = {}) {
  const headers = {};
  if (method !== 'GET') {
    headers.origin = base;
    headers['content-type'] = 'application/json';
  }
  if (jar?.header()) headers.cookie = jar.header();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`${base}${path}`, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(json ?? {}), redirect: 'manual' });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const cookies = jar ? jar.apply(response) : [];
  return { status: response.status, headers: response.headers, body, text, cookies };
}

/** A one-line description of an answer, for failure messages. */
export function describe(answer) {
  return `${answer.status} ${answer.text.slice(0, 500)}${answer.cookies.length ? ` (Set-Cookie: ${answer.cookies.map((c) => `${c.name}${c.cleared ? ' cleared' : ''}`).join(', ')})` : ''}`;
}
