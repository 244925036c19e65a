/**
 * The one place the page talks to the server. Every call is same-origin JSON with the session
 * cookie; errors come back as `ApiError` with the server's stable code.
 *
 * A bearer-token mode (access token + refresh) can replace `send` without touching the
 * components: they only call the functions below.
 */

/** What a 403 `ERR_SESSION_STEP_UP_REQUIRED` asks for: the challenge goes back with `/reauth`. */
export interface StepUp {
  methods: string[] | null;
  within: number;
  challenge: string;
}

/** A failed call: the HTTP status and the server's error code (and a step-up refusal's challenge). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly stepUp: StepUp | null;
  constructor(status: number, code: string, message: string, stepUp: StepUp | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.stepUp = stepUp;
  }
}

/** The challenge of a step-up refusal, or `null` for any other error. */
export function stepUpChallenge(error: unknown): string | null {
  return error instanceof ApiError && error.code === 'ERR_SESSION_STEP_UP_REQUIRED' ? (error.stepUp?.challenge ?? null) : null;
}

/** Called whenever the server says this browser is not logged in (any 401). */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

interface ValidationDetail {
  loc: Array<string | number>;
  msg: string;
}

async function send<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'ERR_NETWORK', 'The shop is not reachable; check your connection.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.ok) return data as T;
  if (res.status === 401) onUnauthenticated();
  const error = data?.error as { code?: string; message?: string; stepUp?: StepUp } | undefined;
  if (error?.code) throw new ApiError(res.status, error.code, error.message ?? error.code, error.stepUp ?? null);
  const detail = data?.detail as ValidationDetail[] | undefined;
  if (Array.isArray(detail)) {
    const text = detail.map((d) => `${String(d.loc[d.loc.length - 1] ?? 'body')}: ${d.msg}`).join('; ');
    throw new ApiError(res.status, 'ERR_VALIDATION', text);
  }
  throw new ApiError(res.status, 'ERR_HTTP', `The shop answered ${res.status}.`);
}

export interface User {
  id: string;
  username: string;
}
export interface Item {
  id: number;
  name: string;
  description: string;
  price_cents: number;
}
export interface CartLine {
  item_id: number;
  quantity: number;
}
export interface Account {
  user: User | null;
  role?: 'admin' | 'user';
  viewAs?: { actor: User; since: number } | null;
  session?: {
    id: string;
    createdAt: number;
    expiresAt: number;
    persistent: boolean;
    authenticatedAt: number;
    freshUntil: number;
  };
}
export interface Device {
  id: string;
  label: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  persistent: boolean;
  ip: string | null;
  current: boolean;
}
/** A device the cap on devices (`MAX_DEVICES`) signed out to make room for a sign-in. */
export interface Eviction {
  at: number;
  id: string;
  /** The signed-out device, "Firefox on Linux". */
  label: string;
  /** The sign-in that made room. */
  signIn: { label: string; userAgent: string | null; ip: string | null };
}
/** One entry of a device's history (`GET /sessions/:id/history`). */
export interface HistoryEntry {
  at: number;
  type: string;
  sessionId: string;
  actor: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
}
export interface Address {
  name: string;
  street: string;
  city: string;
  postcode: string;
  country: string;
}
export type PaymentMethod = 'card' | 'invoice' | 'cash_on_delivery';
interface OrderLine {
  item_id: number;
  name: string;
  quantity: number;
  price_cents: number;
}
export interface Checkout {
  step: 'cart' | 'address' | 'payment' | 'review';
  address: Address | null;
  payment: { method: PaymentMethod } | null;
  lines: OrderLine[];
  total_cents: number;
  unknown: number[];
}
export interface Order {
  id: string;
  lines: OrderLine[];
  total_cents: number;
  address: Address;
  payment: { method: PaymentMethod };
  placed_at: number;
}

export const api = {
  account: () => send<Account>('GET', '/account'),
  items: () => send<{ items: Item[] }>('GET', '/items'),
  cart: () => send<{ cart: CartLine[] }>('GET', '/cart'),
  addToCart: (itemId: number, quantity = 1) => send<{ cart: CartLine[] }>('POST', '/cart/add', { item_id: itemId, quantity }),
  register: (username: string, password: string) => send<User>('POST', '/register', { username, password }),
  login: (username: string, password: string, remember: boolean) => send<{ user: User }>('POST', '/login', { username, password, remember }),
  logout: () => send<{ ok: true }>('POST', '/logout', {}),
  reauth: (password: string, challenge?: string) => send<{ authenticatedAt: number; freshUntil: number }>('POST', '/reauth', { password, challenge }),
  changePassword: (newPassword: string) => send<{ revoked: number }>('POST', '/password', { new_password: newPassword }),
  /** My devices, and the ones the cap signed out lately (the last 7 days, newest first, at most 5). */
  devices: () => send<{ sessions: Device[]; evictions: Eviction[] }>('GET', '/sessions'),
  revokeDevice: (id: string) => send<void>('DELETE', `/sessions/${encodeURIComponent(id)}`),
  deviceHistory: (id: string) => send<{ history: HistoryEntry[] }>('GET', `/sessions/${encodeURIComponent(id)}/history`),
  revokeOthers: () => send<{ revoked: number }>('POST', '/sessions/revoke-others', {}),
  checkout: () => send<Checkout>('GET', '/checkout'),
  setAddress: (address: Address) => send<{ step: Checkout['step'] }>('POST', '/checkout/address', address),
  setPayment: (method: PaymentMethod) => send<{ step: Checkout['step'] }>('POST', '/checkout/payment', { method }),
  placeOrder: (idempotencyKey: string) => send<{ order: Order }>('POST', '/checkout/place', { idempotency_key: idempotencyKey }),
  orders: () => send<{ orders: Order[] }>('GET', '/orders'),
  adminUsers: () => send<{ users: Array<User & { role: 'admin' | 'user' }> }>('GET', '/admin/users'),
  viewAs: (username: string) => send<unknown>('POST', '/admin/view-as', { username }),
  leaveViewAs: () => send<unknown>('POST', '/admin/view-as/leave', {}),
};

/** Formats integer cents as euros. */
export const money = (cents: number) => new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(cents / 100);

/** Formats an epoch-ms time for people. */
export const when = (ms: number) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** The message to show for any error. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : 'Something went wrong.');
