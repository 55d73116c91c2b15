// Live updates: GET /api/notifications/stream (Server-Sent Events) read with fetch() and a stream
// reader, because EventSource cannot send the Authorization header and the token must not go in a
// URL (URLs end up in logs and history). One connection per page, shared by every view that
// listens; it reconnects by itself with Last-Event-ID, so the server replays what was missed.
// Views poll only while `connected()` is false (the stream failed or is not up yet).

import * as session from './session.js';

const listeners = new Set(); // fn(event) with event = {type, id, data}
const stateListeners = new Set(); // fn(connected)
let controller = null;
let connected = false;
let lastEventId = null;
let retryMs = 2000;
let userId = null;
let reconnectTimer = null;

function setConnected(value) {
  if (connected === value) return;
  connected = value;
  for (const fn of stateListeners) fn(value);
}

function dispatch(block) {
  let type = 'message';
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue; // a heartbeat comment
    const at = line.indexOf(':');
    const name = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (name === 'event') type = value;
    else if (name === 'data') data.push(value);
    else if (name === 'id') id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  }
  if (id !== null) lastEventId = id;
  if (type === 'ready') setConnected(true);
  if (!data.length || type === 'ready') return;
  let parsed = null;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch {
    return;
  }
  for (const fn of listeners) fn({ type, id, data: parsed });
}

async function connect() {
  clearTimeout(reconnectTimer);
  const token = session.token();
  if (!token || !listeners.size) {
    controller = null;
    return;
  }
  const mine = new AbortController();
  controller = mine;
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
  if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
  try {
    const response = await fetch('/api/notifications/stream', { headers, signal: mine.signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch {
    // Refused, dropped or aborted: the views poll meanwhile.
  }
  if (controller !== mine) return; // stopped, or replaced by a newer connection
  setConnected(false);
  // Ended (the token expired, the service restarted): again after the server's retry delay, with
  // the token the session has then.
  reconnectTimer = setTimeout(connect, retryMs);
}

function stop() {
  clearTimeout(reconnectTimer);
  const current = controller;
  controller = null;
  if (current) current.abort();
  setConnected(false);
}

session.subscribe(() => {
  const user = session.user();
  if (user && user.id === userId) return;
  // Another person, or signed out: their events are not ours to replay.
  stop();
  userId = user ? user.id : null;
  lastEventId = null;
  if (user && listeners.size) connect();
});

/** True while the stream is open (its first event arrived). */
export function isConnected() {
  return connected;
}

/** fn(connected) on every change; returns the unsubscribe function. */
export function onState(fn) {
  stateListeners.add(fn);
  return () => stateListeners.delete(fn);
}

/** fn({type: 'notification'|'status', id, data}) for every event; returns the unsubscribe function. */
export function subscribe(fn) {
  listeners.add(fn);
  if (!controller && session.user()) {
    userId = session.user().id;
    connect();
  }
  return () => {
    listeners.delete(fn);
    if (!listeners.size) stop();
  };
}
