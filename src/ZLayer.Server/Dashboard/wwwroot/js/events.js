// The events panel: the latest cluster events, newest first.

import { h, timeElement } from './dom.js';

const MAX_EVENTS = 200;

export function addEvents(list, events) {
  for (const event of events) {
    const where = [event.deployment, event.service, event.replica].filter(Boolean).join(' / ');
    list.prepend(h('li', { dataset: { type: event.type, sequence: event.sequence } },
      timeElement(event.time), ' ',
      h('strong', {}, event.type), where ? ` ${where}` : '', `: ${event.message}`));
  }
  while (list.childElementCount > MAX_EVENTS) list.lastElementChild.remove();
}
