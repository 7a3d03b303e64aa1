// The log panel: follows one service's or one replica's output (NDJSON from the logs routes) and
// shows it as it is written.

import { ApiError, lines, pause, send } from './api.js';
import { h, timeElement } from './dom.js';

const MAX_LINES = 1000;
const INITIAL_TAIL = 200;

export class LogPanel {
  constructor({ select, list, pauseButton, clearButton, status }) {
    Object.assign(this, { select, list, pauseButton, clearButton, status });
    this.paused = false;
    this.held = [];
    this.controller = null;
    select.addEventListener('change', () => this.follow(select.value));
    pauseButton.addEventListener('click', () => this.togglePause());
    clearButton.addEventListener('click', () => this.list.replaceChildren());
  }

  /** Offers every service and replica as a source, keeping the current choice. */
  setSources(deployments, replicas) {
    const options = [['', 'Choose a service or replica']];
    for (const d of deployments) for (const s of d.services) options.push([`service:${d.name}/${s.name}`, `Service ${d.name}/${s.name}`]);
    for (const r of replicas) options.push([`replica:${r.replica}`, `Replica ${r.replica}`]);
    const current = this.select.value;
    const same = options.length === this.select.options.length && options.every(([value], i) => this.select.options[i].value === value);
    if (same) return;
    this.select.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
    this.select.value = options.some(([value]) => value === current) ? current : '';
  }

  /** Starts following `source` (service:DEPLOYMENT/SERVICE or replica:ID); '' stops. */
  follow(source) {
    this.controller?.abort();
    this.list.replaceChildren();
    this.held = [];
    if (this.select.value !== source) {
      if (![...this.select.options].some(o => o.value === source)) this.select.append(h('option', { value: source }, source));
      this.select.value = source;
    }
    if (!source) {
      this.status.textContent = '';
      return;
    }
    this.controller = new AbortController();
    this.run(source, this.controller.signal);
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
  }

  async run(source, signal) {
    const [kind, name] = [source.slice(0, source.indexOf(':')), source.slice(source.indexOf(':') + 1)];
    const base = kind === 'service'
      ? `deployments/${encodeURIComponent(name.split('/')[0])}/services/${encodeURIComponent(name.split('/')[1])}/logs`
      : `replicas/${encodeURIComponent(name)}/logs`;
    // Where the panel is, per replica (each replica's lines come in order; a service's replicas
    // interleave): after a drop the stream resumes from the earliest replica's last line, and
    // lines already shown are skipped.
    const shown = new Map();
    while (!signal.aborted) {
      try {
        const since = [...shown.values()].map(p => p.time).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
        const from = since ? `since=${encodeURIComponent(since)}` : `tail=${INITIAL_TAIL}`;
        const response = await send(`${base}?follow=true&${from}`, { headers: { Accept: 'application/x-ndjson' }, signal });
        this.status.textContent = `Following ${name}`;
        for await (const line of lines(response.body)) {
          if (!line) continue;
          const record = JSON.parse(line);
          const position = shown.get(record.replica);
          if (position && Date.parse(record.time) < Date.parse(position.time)) continue;
          if (position && record.time === position.time && position.texts.has(record.text)) continue;
          if (!position || record.time !== position.time) shown.set(record.replica, { time: record.time, texts: new Set() });
          shown.get(record.replica).texts.add(record.text);
          this.add(record, kind === 'service');
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
          this.status.textContent = error.status === 404 ? `${name} is gone: ${error.message}` : '';
          return;
        }
        this.status.textContent = `Log stream lost (${error.message}); reconnecting`;
      }
      if (signal.aborted) return;
      await pause(2000, signal);
    }
  }

  add(record, showSource) {
    if (this.paused) {
      this.held.push([record, showSource]);
      if (this.held.length > MAX_LINES) this.held.shift();
      this.status.textContent = `Paused; ${this.held.length} new lines held`;
      return;
    }
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 8;
    this.list.append(h('li', { class: record.stream === 'stderr' ? 'stderr' : null },
      timeElement(record.time), ' ',
      showSource ? h('span', { class: 'source' }, `${record.replica} | `) : null,
      h('span', { class: 'text' }, record.text)));
    while (this.list.childElementCount > MAX_LINES) this.list.firstElementChild.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  togglePause() {
    this.paused = !this.paused;
    this.pauseButton.setAttribute('aria-pressed', String(this.paused));
    this.pauseButton.textContent = this.paused ? 'Resume' : 'Pause';
    if (!this.paused) {
      const held = this.held;
      this.held = [];
      for (const [record, showSource] of held) this.add(record, showSource);
      if (this.controller) this.status.textContent = 'Following';
    }
  }
}
