// Small DOM helpers: build elements, and update lists in place so that focus, scroll position
// and screen-reader context survive the refreshes the event stream triggers.

/** Creates an element: props are attributes (or `class`, `dataset`, `on*` listeners); children are nodes or text. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter(c => c != null && c !== false));
  return el;
}

/** Sets text only when it changed, so unchanged cells are not re-announced or re-laid out. */
export function setText(el, text) {
  const value = text == null ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

/**
 * Makes the keyed children of `parent` match `items`: existing elements are updated and kept
 * (moved only when the order changed), new ones created, gone ones removed.
 */
export function reconcile(parent, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of parent.children) existing.set(child.dataset.key, child);
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let el = existing.get(key);
    if (el) existing.delete(key);
    else {
      el = create(item);
      el.dataset.key = key;
    }
    update(el, item);
    const expected = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (el !== expected) parent.insertBefore(el, expected);
    previous = el;
  }
  for (const gone of existing.values()) gone.remove();
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** A <time> element showing the clock time, with the full timestamp for assistive tech and tooltips. */
export function timeElement(iso, withDate = false) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: dateTimeFormat.format(date) }, (withDate ? dateTimeFormat : timeFormat).format(date));
}

/** The colour class for a replica state or health, always shown next to its text, never alone. */
export function tone(value) {
  switch (value) {
    case 'running': case 'healthy': case 'serving': case 'ready': case 'available': return 'good';
    case 'failed': case 'crash-loop': case 'unhealthy': case 'ejected': case 'degraded': return 'bad';
    case 'exited': case 'unknown': return 'neutral';
    default: return 'warn';
  }
}

export function badge(text) {
  return h('span', { class: `badge ${tone(text)}` }, text);
}
