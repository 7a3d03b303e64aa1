// The dashboard's entry point: sign-in, then the live view. State comes from the REST API and is
// fetched again whenever the event stream says something changed; the page keeps no model of
// its own beyond what it last fetched.

import { ApiError, getJson, onUnauthorized, postJson, send } from './api.js';
import { renderDeployments } from './deployments.js';
import { addEvents } from './events.js';
import { followEvents } from './event-stream.js';
import { LogPanel } from './logs.js';
import { renderNodes } from './nodes.js';
import { renderProxy } from './proxy.js';
import { renderReplicas } from './replicas.js';
import { claimsOf, currentToken, expiryOf, roleOf, signIn, signOut } from './session.js';

const $ = id => document.getElementById(id);
const PROXY_INTERVAL = 5000;
const NODES_INTERVAL = 30000;
const INITIAL_EVENTS = 100;

const logs = new LogPanel({
  select: $('log-source'), list: $('log-lines'), pauseButton: $('log-pause'), clearButton: $('log-clear'), status: $('log-status'),
});

/** The signed-in view's state; null while signed out. */
let session = null;

function showLogin(reason) {
  stopSession();
  $('app-view').hidden = true;
  $('sign-out').hidden = true;
  $('identity').hidden = true;
  setConnection('offline', 'Not connected');
  $('login-view').hidden = false;
  $('login-error').textContent = reason ?? '';
  $('token').value = '';
  $('token').focus();
}

function stopSession() {
  if (!session) return;
  session.controller.abort();
  clearTimeout(session.refreshTimer);
  clearInterval(session.proxyTimer);
  clearInterval(session.nodesTimer);
  logs.stop();
  session = null;
}

function setConnection(state, text) {
  const el = $('connection');
  el.dataset.state = state;
  if (el.textContent !== text) el.textContent = text;
}

let noticeTimer;
function notice(text) {
  const el = $('notice');
  el.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.textContent = ''; }, 6000);
}

async function submitLogin(event) {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  const error = $('login-error');
  if (!token) {
    input.setAttribute('aria-invalid', 'true');
    error.textContent = 'Paste an API token first.';
    input.focus();
    return;
  }
  try {
    // Checked against the daemon before it is kept, so a wrong token is reported here.
    await send('deployments', { token });
  } catch (failure) {
    input.setAttribute('aria-invalid', 'true');
    error.textContent = failure instanceof ApiError && failure.status === 401
      ? `Not signed in: ${failure.message}.`
      : `Could not reach the daemon: ${failure.message}`;
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  signIn(token);
  startSession(token);
}

function startSession(token) {
  stopSession();
  const claims = claimsOf(token);
  const expiry = expiryOf(claims);
  if (expiry && expiry <= new Date()) {
    signOut();
    showLogin(`Your token expired at ${expiry.toLocaleString()}. Sign in with a new one.`);
    return;
  }
  const role = roleOf(claims);
  session = {
    controller: new AbortController(),
    // Without a role claim (no authentication, or a token that does not say) every control is
    // offered, and a 403 hides them then.
    canOperate: role !== 'viewer',
    deployments: [],
    replicas: [],
    refreshTimer: null,
    refreshing: null,
    again: false,
  };
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('sign-out').hidden = false;
  $('identity').hidden = false;
  $('identity').textContent = role ? `Signed in as ${role}` : 'Signed in';
  $('main').focus();
  setConnection('reconnecting', 'Connecting…');

  refresh();
  startEvents(session);
  session.proxyTimer = setInterval(() => { if (!document.hidden) loadProxy(); }, PROXY_INTERVAL);
  session.nodesTimer = setInterval(() => { if (!document.hidden) loadNodes(); }, NODES_INTERVAL);
}

async function startEvents(current) {
  const list = $('event-list');
  list.replaceChildren();
  let after = 0;
  try {
    const events = await getJson('events', { signal: current.controller.signal });
    addEvents(list, events.slice(-INITIAL_EVENTS));
    after = events.reduce((max, e) => Math.max(max, e.sequence), 0);
  } catch (error) {
    if (current.controller.signal.aborted) return;
    notice(`Could not load events: ${error.message}`);
  }
  await followEvents({
    after,
    signal: current.controller.signal,
    onEvent: event => {
      addEvents(list, [event]);
      scheduleRefresh();
    },
    onStatus: (state, reason) => {
      if (state === 'live') {
        setConnection('live', 'Live');
        // Anything may have changed while the stream was down.
        scheduleRefresh();
      } else {
        setConnection('reconnecting', `Reconnecting (${reason})`);
      }
    },
  });
}

/** Fetches deployments and replicas again soon; bursts of events cost one fetch. */
function scheduleRefresh() {
  if (!session || session.refreshTimer) return;
  session.refreshTimer = setTimeout(() => {
    if (!session) return;
    session.refreshTimer = null;
    refresh();
  }, 200);
}

async function refresh() {
  const current = session;
  if (!current) return;
  if (current.refreshing) {
    current.again = true;
    return current.refreshing;
  }
  current.refreshing = (async () => {
    do {
      current.again = false;
      try {
        const signal = current.controller.signal;
        const [deployments, replicas] = await Promise.all([getJson('deployments', { signal }), getJson('replicas', { signal })]);
        if (session !== current) return;
        current.deployments = deployments;
        current.replicas = replicas;
        render(current);
        // Routes and node counts follow the replicas; read them again too, without waiting.
        loadProxy();
        loadNodes();
      } catch (error) {
        if (current.controller.signal.aborted) return;
        notice(`Could not refresh: ${error.message}`);
      }
    } while (current.again && session === current);
  })();
  try {
    await current.refreshing;
  } finally {
    current.refreshing = null;
  }
}

function render(current) {
  renderDeployments($('deployment-list'), current.deployments, { canOperate: current.canOperate, actions });
  $('deployments-empty').hidden = current.deployments.length > 0;
  renderReplicas($('replica-rows'), current.replicas, source => actions.logs(source));
  $('replicas-empty').hidden = current.replicas.length > 0;
  logs.setSources(current.deployments, current.replicas);
}

async function loadProxy() {
  const current = session;
  try {
    const answer = await getJson('proxy/routes', { signal: current?.controller.signal });
    if (session === current) renderProxy($('proxy-rows'), $('proxy-empty'), answer);
  } catch (error) {
    if (session !== current || current?.controller.signal.aborted) return;
    $('proxy-empty').hidden = false;
    $('proxy-empty').textContent = `The proxy's routes are not available: ${error.message}`;
  }
}

async function loadNodes() {
  const current = session;
  try {
    const nodes = await getJson('nodes', { signal: current?.controller.signal });
    if (session !== current) return;
    $('nodes-error').hidden = true;
    renderNodes($('node-list'), nodes);
  } catch (error) {
    if (session !== current || current?.controller.signal.aborted) return;
    $('nodes-error').hidden = false;
    $('nodes-error').textContent = `Nodes are not available: ${error.message}`;
  }
}

/** Runs a change with `button` marked busy; a 403 means this token's role may not change services. */
async function operate(button, what, change) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    await change();
    await refresh();
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      if (session) {
        session.canOperate = false;
        render(session);
      }
      notice(`Your token's role may not ${what}; scale and restart are hidden.`);
    } else if (!(error instanceof ApiError && error.status === 401)) {
      notice(`Could not ${what}: ${error.message}`);
    }
  } finally {
    button.removeAttribute('aria-busy');
  }
}

const actions = {
  scale(deployment, service, replicas, button) {
    return operate(button, `scale ${service}`, async () => {
      const answer = await postJson(`deployments/${encodeURIComponent(deployment)}/services/${encodeURIComponent(service)}/scale`, { replicas });
      notice(`${service}: ${answer.previous} → ${answer.replicas} replicas`);
    });
  },
  restart(deployment, service, button) {
    const label = button.textContent;
    button.textContent = 'Restarting…';
    notice(`Restarting ${service} one replica at a time`);
    return operate(button, `restart ${service}`, async () => {
      try {
        const answer = await postJson(`deployments/${encodeURIComponent(deployment)}/services/${encodeURIComponent(service)}/restart`, undefined);
        notice(`${service}: ${answer.restarted} ${answer.restarted === 1 ? 'replica' : 'replicas'} restarted`);
      } finally {
        button.textContent = label;
      }
    });
  },
  logs(source) {
    logs.follow(source);
    $('logs').scrollIntoView({ block: 'start' });
    $('log-source').focus();
  },
};

onUnauthorized(error => {
  // Requests in flight when the first 401 ended the session fail too (aborted, without the
  // daemon's reason); the first one's message stands.
  if (!session) return;
  signOut();
  showLogin(`Signed out: ${error.message}. Sign in again with a valid token.`);
});
$('login-form').addEventListener('submit', submitLogin);
$('sign-out').addEventListener('click', () => {
  signOut();
  showLogin('Signed out.');
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && session) scheduleRefresh();
});

const saved = currentToken();
if (saved) startSession(saved);
else showLogin('');
