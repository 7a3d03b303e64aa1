// Every call to the daemon's REST API: the token as a bearer header, problem documents turned
// into errors with the server's own words, and a 401 anywhere ending the session.

import { currentToken } from './session.js';

/** The API root, relative to where the dashboard is served (/ui/ → /api/v1/), so a path prefix in front of the daemon still works. */
const root = new URL('../../api/v1/', import.meta.url);

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `the daemon answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let unauthorized = () => {};

/** Called with the ApiError of any 401 answer: the token was refused, so the user must sign in again. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export function url(path) {
  return new URL(path.replace(/^\//, ''), root);
}

/** Sends a request; resolves to the Response when it succeeded, throws ApiError otherwise. */
export async function send(path, { method = 'GET', body, headers = {}, signal, token = currentToken() } = {}) {
  const all = { Accept: 'application/json', ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    all['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(url(path), { method, headers: all, body: payload, signal, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) {
    const error = new ApiError(response.status, await problemOf(response));
    if (response.status === 401) unauthorized(error);
    throw error;
  }
  return response;
}

export async function getJson(path, options) {
  return (await send(path, options)).json();
}

export async function postJson(path, body, options = {}) {
  const response = await send(path, { ...options, method: 'POST', body });
  return response.status === 204 ? null : response.json();
}

async function problemOf(response) {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** The lines of a streamed body as they arrive (NDJSON logs, Server-Sent Events), without their line endings. */
export async function* lines(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += value;
      let end;
      while ((end = pending.indexOf('\n')) >= 0) {
        yield pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
      }
    }
    if (pending) yield pending;
  } finally {
    reader.releaseLock();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
