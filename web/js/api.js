// The only place that talks to the back end: every call goes to /api/* on the same origin (the
// gateway). Failures become an ApiError built from the RFC 9457 problem+json body when there is
// one; views turn it into words with messages.js and never show the raw body.

import * as session from './session.js';

const TIMEOUT_MS = 15000;

/** A failed call: HTTP status (0 when the server was not reached), stable code, field errors. */
export class ApiError extends Error {
  constructor({ status = 0, code = 'UNKNOWN', detail = '', fields = [], requestId = '', retryAfter = null }) {
    super(detail || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields; // [{field: 'items[0].quantity', message: 'must be between 1 and 99'}]
    this.requestId = requestId;
    this.retryAfter = retryAfter; // seconds, from Retry-After on a 503
  }
}

// A status without a problem body (e.g. the gateway's own 502 page) still gets a code.
function codeForStatus(status) {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  // No problem body: the gateway answered for a service (502/504), which may have done the work.
  if (status === 502 || status === 503 || status === 504) return 'GATEWAY';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_REQUEST';
}

async function toError(response) {
  let problem = {};
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      problem = await response.json();
    } catch {
      problem = {};
    }
  }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return new ApiError({
    status: response.status,
    code: typeof problem.code === 'string' ? problem.code : codeForStatus(response.status),
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    fields: Array.isArray(problem.errors) ? problem.errors : [],
    requestId: problem.requestId || response.headers.get('X-Request-Id') || '',
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : null,
  });
}

/**
 * Calls /api<path>. Options: method, body (sent as JSON), auth (adds the Bearer token),
 * headers. Resolves to {data, status, headers}; rejects with ApiError.
 */
export async function request(path, { method = 'GET', body, auth = false, headers = {} } = {}) {
  const sendHeaders = { Accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined) sendHeaders['Content-Type'] = 'application/json';
  if (auth) {
    const token = session.token();
    if (!token) throw new ApiError({ status: 401, code: 'UNAUTHORIZED' });
    sendHeaders.Authorization = `Bearer ${token}`;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers: sendHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: 'no-store',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK' });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const error = await toError(response);
    // A token the server no longer accepts (expired, user gone): the session is over.
    if (auth && error.status === 401) session.end('expired');
    throw error;
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { data, status: response.status, headers: response.headers };
}

export const register = (email, password, name) =>
  request('/register', { method: 'POST', body: { email, password, name } }).then((r) => r.data);

export const login = (email, password) =>
  request('/login', { method: 'POST', body: { email, password } }).then((r) => r.data);

export const profile = () => request('/profile', { auth: true }).then((r) => r.data);

export const products = () => request('/products').then((r) => r.data.items);

export const orders = () => request('/orders', { auth: true }).then((r) => r.data.items);

export const order = (id) => request(`/orders/${encodeURIComponent(id)}`, { auth: true }).then((r) => r.data);

/** Places an order; the same key and body twice gives the first order back (one order). */
export const placeOrder = (body, idempotencyKey) =>
  request('/orders', { method: 'POST', body, auth: true, headers: { 'Idempotency-Key': idempotencyKey } }).then(
    (r) => r.data,
  );

export const notifications = () => request('/notifications', { auth: true }).then((r) => r.data.items);

/** Staff: every customer's orders in `statuses` (newest first; one page of up to 100). */
export const ordersInStates = (statuses) =>
  request(`/orders?status=${encodeURIComponent(statuses.join(','))}&limit=100`, { auth: true }).then((r) => r.data.items);

/** Staff: moves an order seen at `version` to `status` (a changed order: 409 VERSION_CONFLICT). */
export const moveOrder = (id, version, status, reason) =>
  request(`/orders/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    auth: true,
    body: reason ? { status, reason } : { status },
    headers: { 'If-Match': `"${version}"` },
  }).then((r) => r.data);

/** The owner cancels an order while it is CREATED. */
export const cancelOrder = (id, reason) =>
  request(`/orders/${encodeURIComponent(id)}/cancel`, { method: 'POST', auth: true, body: reason ? { reason } : {} }).then(
    (r) => r.data,
  );
