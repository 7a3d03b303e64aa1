// The node proxy's routes: what each listen port serves, to which replicas, and how busy it is.

import { badge, h, reconcile, setText } from './dom.js';

const rate = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Renders GET /api/v1/proxy/routes; `empty` says why nothing is listed. */
export function renderProxy(tbody, empty, answer) {
  const routes = answer.routes;
  empty.hidden = routes.length > 0;
  empty.textContent = answer.enabled ? 'No endpoints are routed.' : 'The node proxy is off (the daemon runs with --no-proxy).';
  reconcile(tbody, routes, keyOf, () => createRoute(), updateRoute);
}

function keyOf(route) {
  return `${route.protocol}/${route.port}/${route.host ?? '*'}${route.path ?? ''}`;
}

function createRoute() {
  const cell = (label, cls) => h('td', { 'data-label': label, class: cls });
  return h('tr', {}, cell('Listen', 'listen'), cell('Match', 'match'), cell('Service', 'service'), cell('Requests/s', 'num rate'), cell('Backends', 'backends'));
}

function updateRoute(row, route) {
  setText(row.querySelector('.listen'), `${route.protocol} :${route.port}${route.public ? ' (public)' : ''}`);
  setText(row.querySelector('.match'), route.path == null ? 'all traffic' : `${route.host ?? 'any host'} ${route.path}`);
  setText(row.querySelector('.service'), `${route.deployment}/${route.service} (${route.endpoint})`);
  setText(row.querySelector('.rate'), rate.format(route.requestsPerSecond));
  const backends = route.backends.map(b => `${b.replica}${b.address}${b.state}${b.health}`).join('|');
  const cell = row.querySelector('.backends');
  if (cell.dataset.text === backends) return;
  cell.dataset.text = backends;
  cell.replaceChildren(route.backends.length === 0
    ? h('span', { class: 'bad' }, 'none ready')
    : h('ul', { class: 'backends' }, route.backends.map(b =>
      h('li', {}, `${b.replica} ${b.address} `, badge(b.state), ' ', badge(b.health)))));
}
