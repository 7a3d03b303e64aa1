// Deployments and their services, with the scale and restart controls (for roles that may use them).

import { badge, h, reconcile, setText, timeElement } from './dom.js';

/**
 * Renders `deployments` (DeploymentView[]) into `container`. `actions` has scale(deployment,
 * service, replicas, button), restart(deployment, service, button) and logs(source);
 * `canOperate` hides scale and restart for viewers.
 */
export function renderDeployments(container, deployments, { canOperate, actions }) {
  reconcile(container, deployments, d => d.name, d => createDeployment(d, actions), (el, d) => updateDeployment(el, d, canOperate, actions));
}

function createDeployment(deployment, actions) {
  const titleId = `deployment-${deployment.name}`;
  const rows = h('tbody');
  const el = h('article', { class: 'deployment', 'aria-labelledby': titleId },
    h('header', {},
      h('h3', { id: titleId }, deployment.name),
      h('span', { class: 'status' }),
      h('span', { class: 'meta muted' })),
    h('table', { class: 'grid' },
      h('caption', { class: 'visually-hidden' }, `Services of ${deployment.name}`),
      h('thead', {}, h('tr', {}, ...['Service', 'Runtime', 'Desired', 'Running', 'Healthy', 'Endpoints'].map(c => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      rows));
  el.rows = rows;
  el.actions = actions;
  return el;
}

function updateDeployment(el, deployment, canOperate, actions) {
  const status = el.querySelector('.status');
  if (status.textContent !== deployment.status) status.replaceChildren(badge(deployment.status));
  const meta = el.querySelector('.meta');
  const text = `generation ${deployment.generation} · by ${deployment.deployedBy}`;
  if (meta.dataset.text !== `${text}${deployment.updatedAt}`) {
    meta.dataset.text = `${text}${deployment.updatedAt}`;
    meta.replaceChildren(`${text} · updated `, timeElement(deployment.updatedAt));
  }
  reconcile(el.rows, deployment.services, s => s.name, s => createService(deployment.name, s, actions), (row, s) => updateService(row, s, canOperate));
}

function createService(deployment, service, actions) {
  const name = service.name;
  const cell = (label, cls) => h('td', { 'data-label': label, class: cls });
  const down = h('button', { type: 'button', class: 'scale-down', 'aria-label': `Scale ${name} down`, title: `Scale ${name} down by one` }, '−');
  const up = h('button', { type: 'button', class: 'scale-up', 'aria-label': `Scale ${name} up`, title: `Scale ${name} up by one` }, '+');
  const restart = h('button', { type: 'button', class: 'restart', 'aria-label': `Restart ${name}` }, 'Restart');
  const logs = h('button', { type: 'button', class: 'logs', 'aria-label': `Show logs of ${name}` }, 'Logs');
  const row = h('tr', { dataset: { service: name, deployment } },
    h('th', { scope: 'row', 'data-label': 'Service' }, name, h('span', { class: 'rtype muted' })),
    cell('Runtime', 'runtime'), cell('Desired', 'num desired'), cell('Running', 'num running'), cell('Healthy', 'num healthy'), cell('Endpoints', 'endpoints'),
    h('td', { 'data-label': 'Actions' }, h('div', { class: 'actions' }, down, up, restart, logs)));
  down.addEventListener('click', () => {
    if (down.getAttribute('aria-disabled') !== 'true') actions.scale(deployment, name, Number(row.dataset.desired) - 1, down);
  });
  up.addEventListener('click', () => actions.scale(deployment, name, Number(row.dataset.desired) + 1, up));
  restart.addEventListener('click', () => actions.restart(deployment, name, restart));
  logs.addEventListener('click', () => actions.logs(`service:${deployment}/${name}`));
  return row;
}

function updateService(row, service, canOperate) {
  row.dataset.desired = service.desired;
  setText(row.querySelector('.rtype'), service.rtype === 'service' ? '' : ` (${service.rtype})`);
  setText(row.querySelector('.runtime'), service.runtime);
  setText(row.querySelector('.desired'), service.desired);
  setText(row.querySelector('.running'), service.running);
  setText(row.querySelector('.healthy'), service.healthy);
  setText(row.querySelector('.endpoints'), service.endpoints.join(', ') || '—');
  // Jobs and cron services run to completion: a replica count means nothing for them.
  const scalable = canOperate && service.rtype === 'service';
  for (const button of row.querySelectorAll('.scale-down, .scale-up')) button.hidden = !scalable;
  row.querySelector('.restart').hidden = !canOperate;
  // aria-disabled rather than disabled: a disabled button drops keyboard focus.
  row.querySelector('.scale-down').setAttribute('aria-disabled', String(service.desired <= 0));
}
