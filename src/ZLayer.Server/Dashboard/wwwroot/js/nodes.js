// The nodes of the cluster (one, on a single machine) and what each offers.

import { badge, h, reconcile, timeElement } from './dom.js';

const bytes = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function renderNodes(container, nodes) {
  reconcile(container, nodes, n => n.id, n => h('article', { 'aria-label': `Node ${n.id}` }), updateNode);
}

function updateNode(el, node) {
  const text = JSON.stringify(node);
  if (el.dataset.text === text) return;
  el.dataset.text = text;
  const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  el.replaceChildren(
    h('h3', {}, node.name, ' ', badge(node.state)),
    h('dl', {},
      row('Id', node.id),
      row('Addresses', node.addresses.join(', ') || 'loopback only'),
      row('Runtime', `${node.runtime} (available: ${node.runtimes.join(', ')})`),
      row('Capacity', `${node.capacity.cpus} CPUs, ${bytes.format(node.capacity.memoryBytes / 2 ** 30)} GiB memory`),
      row('Running replicas', String(node.replicas)),
      row('Version', node.version),
      row('Last seen', timeElement(node.updatedAt, true))));
}
