// Hash routes ("#/orders/<id>"). Where to go back to after signing in is kept in memory, never
// in the URL.

let returnTo = null;

/** Goes to a hash route; returnTo is remembered for after sign-in. */
export function navigate(hash, options = {}) {
  if (options.returnTo !== undefined) returnTo = options.returnTo;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Remembers where to go after signing in. */
export function setReturnTo(hash) {
  returnTo = hash;
}

/** Where to go after signing in (and forgets it). */
export function takeReturnTo(fallback = '#/menu') {
  const target = returnTo && !/^#\/(login|signup)$/.test(returnTo) ? returnTo : fallback;
  returnTo = null;
  return target;
}
