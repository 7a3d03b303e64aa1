// The daemon's event stream (GET /api/v1/events/stream, Server-Sent Events) read with fetch, so
// the token travels in the Authorization header; EventSource cannot send one. On a drop it
// reconnects with Last-Event-ID and the daemon replays what was missed.

import { ApiError, lines, pause, send } from './api.js';

/**
 * Follows events after sequence `after` until `signal` aborts. `onEvent` gets each ClusterEvent;
 * `onStatus` gets 'live' or 'reconnecting' (with the reason) as the connection comes and goes.
 */
export async function followEvents({ after, onEvent, onStatus, signal }) {
  let lastId = after;
  let retry = 2000;
  while (!signal.aborted) {
    let reason = 'the stream ended';
    try {
      const headers = { Accept: 'text/event-stream' };
      if (lastId != null) headers['Last-Event-ID'] = String(lastId);
      const response = await send('events/stream', { headers, signal });
      onStatus('live');
      let frame = { data: [] };
      for await (const line of lines(response.body)) {
        if (line === '') {
          if (frame.event === 'error') reason = problemText(frame.data.join('\n'));
          else if (frame.data.length > 0) onEvent(JSON.parse(frame.data.join('\n')));
          if (frame.id != null) lastId = frame.id;
          frame = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') frame.data.push(value);
        else if (field === 'id') frame.id = value;
        else if (field === 'event') frame.event = value;
        else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
      }
    } catch (error) {
      if (signal.aborted) return;
      // A refused token ends the session (api.js signs out); nothing to retry.
      if (error instanceof ApiError && error.status === 401) return;
      reason = error.message;
    }
    if (signal.aborted) return;
    onStatus('reconnecting', reason);
    await pause(retry, signal);
  }
}

function problemText(data) {
  try {
    const problem = JSON.parse(data);
    return problem.detail || problem.title || 'the stream was interrupted';
  } catch {
    return 'the stream was interrupted';
  }
}
