// Who is signed in. The access token lives in sessionStorage (this tab only, gone when it closes)
// and is sent only in the Authorization header, never in a URL.

const KEY = 'comanda.session';
const listeners = new Set();
let current = load();

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return saved && typeof saved.token === 'string' ? saved : null;
  } catch {
    return null;
  }
}

function save() {
  if (current) sessionStorage.setItem(KEY, JSON.stringify(current));
  else sessionStorage.removeItem(KEY);
}

// The token's claims are read only to greet the person; the services verify it.
function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(part), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function notify(reason) {
  for (const fn of listeners) fn(current, reason);
}

/** The access token, or null when signed out or expired. */
export function token() {
  if (current && current.expiresAt && current.expiresAt <= Date.now()) end('expired');
  return current?.token ?? null;
}

/** {id, email, name, role} of the signed-in person, or null. */
export function user() {
  return token() ? current.user : null;
}

export function signedIn() {
  return token() !== null;
}

/**
 * Starts a session from a login response. It ends expiresIn seconds from now by this device's clock
 * (not the token's `exp`, which a device whose clock is off would misread).
 */
export function begin(accessToken, expiresIn) {
  const c = claims(accessToken);
  current = {
    token: accessToken,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : null,
    user: { id: c.sub || '', email: c.email || '', name: c.name || '', role: c.role || 'customer' },
  };
  save();
  notify('login');
}

/** Updates the person's details from GET /profile. */
export function setProfile(profile) {
  if (!current) return;
  current.user = { ...current.user, ...profile };
  save();
  notify('profile');
}

/** Ends the session; reason is 'logout' or 'expired'. */
export function end(reason = 'logout') {
  if (!current) return;
  current = null;
  save();
  notify(reason);
}

/** fn(session, reason) on every change; returns the unsubscribe function. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
