/**
 * Two ways to send the suite's requests: over real HTTP to a listening server (node:http, so
 * headers go out exactly as written, duplicates included), or through a Fetch-style
 * `request()` such as Hono's `app.request()`. Both return the same {@link SuiteResponse}.
 *
 * @module
 */
import { request as httpRequest } from 'node:http';

/** The host every suite request names, so each adapter sees the same own origin. */
export const SUITE_HOST = 'shop.test';

/** A request of the suite. */
export interface SuiteRequest {
  method?: string;
  path: string;
  /** An array value sends the header once per element. */
  headers?: Record<string, string | readonly string[]>;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent urlencoded with `content-type: application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Sent as is; set `content-type` yourself. */
  body?: string;
}

/** A response as the suite sees it. */
export interface SuiteResponse {
  status: number;
  /** Lower-case names; `set-cookie` is in {@link SuiteResponse.cookies}. */
  headers: Record<string, string>;
  /** Every `Set-Cookie` value, in order. */
  cookies: string[];
  body: string;
  json(): any;
}

/** What an adapter's app factory returns. */
export interface SuiteApp {
  request(request: SuiteRequest): Promise<SuiteResponse>;
  /** Port of the real HTTP server behind `request`, or `null` for in-process requests. */
  readonly port: number | null;
  close(): Promise<void>;
}

function encodeBody(req: SuiteRequest): { body: string | undefined; type: string | undefined } {
  if (req.json !== undefined) return { body: JSON.stringify(req.json), type: 'application/json' };
  if (req.form !== undefined) return { body: new URLSearchParams(req.form).toString(), type: 'application/x-www-form-urlencoded' };
  return { body: req.body, type: undefined };
}

function toResponse(status: number, headers: Record<string, string>, cookies: string[], body: string): SuiteResponse {
  return { status, headers, cookies, body, json: () => JSON.parse(body) };
}

/** Sends `req` to `127.0.0.1:port` over HTTP/1.1, one connection per request. */
export function sendHttp(port: number, req: SuiteRequest): Promise<SuiteResponse> {
  const { body, type } = encodeBody(req);
  const headers: Record<string, string | string[]> = { host: SUITE_HOST };
  if (type) headers['content-type'] = type;
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name] = typeof value === 'string' ? value : [...value];
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (name !== 'set-cookie' && value !== undefined) flat[name] = String(value);
        resolve(toResponse(res.statusCode ?? 0, flat, res.headers['set-cookie'] ?? [], text));
      });
      res.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Adapts a Fetch-style handler (`(path, init) => Response`, e.g. Hono's `app.request`). */
export function fetchClient(handle: (path: string, init: RequestInit) => Response | Promise<Response>) {
  return async (req: SuiteRequest): Promise<SuiteResponse> => {
    const { body, type } = encodeBody(req);
    const headers = new Headers();
    if (type) headers.set('content-type', type);
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      for (const one of typeof value === 'string' ? [value] : value) headers.append(name, one);
    }
    const init: RequestInit = { method: req.method ?? 'GET', headers };
    if (body !== undefined) init.body = body;
    const res = await handle(`http://${SUITE_HOST}${req.path}`, init);
    const flat: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie') flat[name] = value;
    });
    return toResponse(res.status, flat, res.headers.getSetCookie(), await res.text());
  };
}
