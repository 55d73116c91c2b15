// Words for the API's stable error codes (the contract's `code`) and for field errors, so a
// person never sees a status number or a JSON body.

const byCode = {
  VALIDATION_FAILED: 'Some details need a second look. Please check the highlighted fields.',
  MALFORMED_JSON: 'Something went wrong sending your details. Please try again.',
  EMAIL_TAKEN: 'There is already an account with this email. Sign in instead, or use another email.',
  INVALID_CREDENTIALS: 'That email and password do not match. Please try again.',
  UNAUTHORIZED: 'Please sign in to continue.',
  FORBIDDEN: 'Your account is not allowed to do that.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  PRODUCT_UNAVAILABLE: 'Sorry, something in your order is no longer available. Please remove it and try again.',
  IDEMPOTENCY_KEY_REUSED: 'Your order changed while it was being placed. Please check it and place it again.',
  CURRENCY_MISMATCH: 'These dishes cannot be ordered together right now. Please order them separately.',
  // Also the answer when the database did not confirm a write (a failover): the order may exist, so the words
  // promise only what the Idempotency-Key guarantees.
  DEPENDENCY_UNAVAILABLE: 'Our kitchen system is not answering right now. Please try again in a moment: if your order already went through, trying again will not place it twice.',
  // The gateway's own answers when a service is down or slow: the work may or may not have happened.
  SERVICE_UNAVAILABLE: 'We did not get an answer from our kitchen system. Please try again in a moment: if your order already went through, trying again will not place it twice.',
  GATEWAY_TIMEOUT: 'We did not get an answer in time. Please try again: if your order already went through, trying again will not place it twice.',
  GATEWAY: 'We did not get an answer in time. Please try again: if your order already went through, trying again will not place it twice.',
  SERVICE_BUSY: 'We are very busy right now. Please try again in a moment.',
  TOO_MANY_REQUESTS: 'Too many attempts in a short time. Please wait a moment and try again.',
  PAYLOAD_TOO_LARGE: 'That is more text than we can take. Please shorten it.',
  NETWORK: 'We could not reach Comanda. Please check your connection and try again.',
};

const fallback = 'Something went wrong on our side. Please try again.';

/** A sentence for a failed call (ApiError or anything thrown). */
export function describe(error) {
  return byCode[error?.code] || fallback;
}

const fieldLabels = {
  email: 'Email',
  password: 'Password',
  name: 'Name',
  deliveryAddress: 'Delivery address',
  notes: 'Notes for the kitchen',
  items: '', // checkout rewrites line errors as "<dish>: quantity must be ..."

};

/** "must be 8 to 128 characters" for field "password" -> "Password must be 8 to 128 characters." */
export function fieldSentence(field, message, label = fieldLabels[field] ?? 'This field') {
  const text = String(message || 'is not valid').trim();
  const sentence = label ? `${label} ${text}` : text.charAt(0).toUpperCase() + text.slice(1);
  return `${sentence}${/[.!?]$/.test(text) ? '' : '.'}`;
}

/** Field errors grouped by top-level field name: {email: ["Email must be ..."], ...}. */
export function fieldErrors(error) {
  const out = {};
  for (const { field, message } of error?.fields ?? []) {
    const name = String(field || '').split(/[.[]/)[0];
    (out[name] ||= []).push(fieldSentence(name, message));
  }
  return out;
}
