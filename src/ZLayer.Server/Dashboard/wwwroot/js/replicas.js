// The replicas table: every replica's state and health as the agents last reported them.

import { badge, h, reconcile, setText, timeElement } from './dom.js';

/** Renders `replicas` (ReplicaResource[]) into the table body; `onLogs(source)` opens a replica's logs. */
export function renderReplicas(tbody, replicas, onLogs) {
  reconcile(tbody, replicas, r => r.replica, r => createReplica(r, onLogs), updateReplica);
}

function createReplica(replica, onLogs) {
  const cell = (label, cls) => h('td', { 'data-label': label, class: cls });
  const logs = h('button', { type: 'button', 'aria-label': `Show logs of replica ${replica.replica}` }, 'Logs');
  logs.addEventListener('click', () => onLogs(`replica:${replica.replica}`));
  return h('tr', { dataset: { replica: replica.replica } },
    h('th', { scope: 'row', 'data-label': 'Replica' }, replica.replica),
    cell('State', 'state'), cell('Health', 'health'), cell('Address', 'address'), cell('Restarts', 'num restarts'),
    cell('Started', 'started'), cell('Node', 'node'),
    h('td', { 'data-label': 'Actions' }, logs));
}

function updateReplica(row, replica) {
  const state = row.querySelector('.state');
  const stateText = replica.message && replica.state !== 'running' ? `${replica.state}: ${replica.message}` : replica.state;
  if (state.dataset.text !== stateText) {
    state.dataset.text = stateText;
    state.replaceChildren(badge(replica.state), replica.message && replica.state !== 'running' ? h('span', { class: 'muted' }, ` ${replica.message}`) : '');
  }
  const health = row.querySelector('.health');
  if (health.textContent !== replica.health) health.replaceChildren(badge(replica.health));
  const ports = Object.entries(replica.ports ?? {}).map(([name, port]) => `${name}:${port}`).join(', ');
  setText(row.querySelector('.address'), [replica.address, ports].filter(Boolean).join(' ') || '—');
  setText(row.querySelector('.restarts'), replica.restarts);
  const started = row.querySelector('.started');
  if (started.dataset.at !== String(replica.startedAt)) {
    started.dataset.at = String(replica.startedAt);
    started.replaceChildren(timeElement(replica.startedAt));
  }
  setText(row.querySelector('.node'), replica.node);
}
