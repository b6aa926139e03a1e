/* footfall dashboard: plain JavaScript, no dependencies. Talks to /api/stats/*, /api/tap and /api/pipeline. */
'use strict';

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const SVG_NS = 'http://www.w3.org/2000/svg';
const state = { site: null, range: '7d', from: null, to: null, compare: false, filters: [], tabs: {}, funnel: '', deletedBefore: null };
let liveSource = null;
let loadSeq = 0;

/* ---------- small helpers ---------- */
const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function s(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

function compact(n) {
  if (n === null || n === undefined) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 0 : 1) + 'B';
  if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
  if (a >= 1e4) return (n / 1e3).toFixed(0) + 'k';
  if (a >= 1e3) return (n / 1e3).toFixed(1) + 'k';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

// A rate in percent: one decimal below 10 %, none above.
function plural(n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); }
function percent(v) { return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + '%'; }

function duration(seconds) {
  if (!seconds) return '0s';
  const m = Math.floor(seconds / 60);
  const sec = Math.round(seconds % 60);
  if (m >= 60) return Math.floor(m / 60) + 'h ' + (m % 60) + 'm';
  return m ? m + 'm ' + sec + 's' : sec + 's';
}

// Country and language names, built on first use: building them loads locale data (tens of ms in a browser
// just started), which main() does while the first view's requests are under way rather than before them.
const displayNameCache = {};
function displayNames(type) {
  if (!(type in displayNameCache)) {
    try { displayNameCache[type] = new Intl.DisplayNames(['en'], { type }); } catch (e) { displayNameCache[type] = null; }
  }
  return displayNameCache[type];
}

function displayValue(dimension, value) {
  if (value === null || value === undefined) {
    return dimension === 'source' || dimension === 'referrer_host' ? 'Direct / none' : '(none)';
  }
  try {
    if (dimension === 'country' && displayNames('region') && /^[A-Z]{2}$/.test(value)) return displayNames('region').of(value) + ' (' + value + ')';
    if (dimension === 'language' && displayNames('language')) return displayNames('language').of(value) + ' (' + value + ')';
  } catch (e) { /* keep the code */ }
  // stored lower case, words joined by '_' (set-top_box): shown as words, the first capitalised (Set-top box)
  if (dimension === 'referrer_type' || dimension === 'device_type') return value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ');
  return value;
}

/* ---------- state in the URL, so a reload or a shared link shows the same view ---------- */
const RANGES = ['today', '7d', '30d', 'custom'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (d) => DAY.test(d || '') && !isNaN(new Date(d + 'T00:00:00'));

// Also when a link is pasted into an open tab (hashchange). A range the link gets wrong (an unknown name, a custom
// range without two valid days in order) is the default week: a hand-edited link shows numbers, not an empty page.
function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get('site')) state.site = p.get('site');
  state.range = RANGES.includes(p.get('range')) ? p.get('range') : '7d';
  state.from = p.get('from');
  state.to = p.get('to');
  if (state.range === 'custom' && !(validDay(state.from) && validDay(state.to) && state.from <= state.to)) {
    state.range = '7d';
    state.from = state.to = null;
  }
  state.compare = p.get('compare') === '1';
  state.funnel = p.get('funnel') || '';
  state.filters = (p.getAll('f') || []).map((f) => {
    const [dimension, op, ...rest] = f.split('\u0001');
    return { dimension, op, value: rest.join('\u0001') };
  }).filter((f) => f.dimension && f.op);
}

function writeHash() {
  const p = new URLSearchParams();
  if (state.site) p.set('site', state.site);
  p.set('range', state.range);
  if (state.range === 'custom') { p.set('from', state.from); p.set('to', state.to); }
  if (state.compare) p.set('compare', '1');
  if (state.funnel) p.set('funnel', state.funnel);
  state.filters.forEach((f) => p.append('f', [f.dimension, f.op, f.value].join('\u0001')));
  history.replaceState(null, '', '#' + p.toString());
}

/* ---------- ranges: calendar days in the browser's time zone ---------- */
function startOfDay(d) { const x = new Date(d); x.setHours(0, 0, 0, 0); return x; }
function addDays(d, n) { const x = new Date(d); x.setDate(x.getDate() + n); return x; }
function isoDate(d) { return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }

function currentRange() {
  const today = startOfDay(new Date());
  let from; let to;
  if (state.range === 'today') { from = today; to = addDays(today, 1); }
  else if (state.range === '30d') { from = addDays(today, -29); to = addDays(today, 1); }
  else if (state.range === 'custom' && state.from && state.to) {
    from = startOfDay(new Date(state.from + 'T00:00:00'));
    to = addDays(startOfDay(new Date(state.to + 'T00:00:00')), 1);
  } else { from = addDays(today, -6); to = addDays(today, 1); }
  const days = Math.round((to - from) / 86400000);
  const interval = days <= 2 ? 'hour' : days <= 92 ? 'day' : days <= 400 ? 'week' : 'month';
  return { from, to, interval, days };
}

/* ---------- API ---------- */
function escapeFilterValue(v) { return v.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/\|/g, '\\|'); }

// A custom property's key ends at the first operator, so operators inside it are escaped too.
function escapeFilterDimension(d) { return d.startsWith('prop:') ? 'prop:' + d.slice(5).replace(/[\\;|=!~]/g, '\\$&') : d; }

function filtersParam() {
  return state.filters.map((f) => escapeFilterDimension(f.dimension) + f.op + escapeFilterValue(f.value)).join(';');
}

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const response = await fetch(path + (q.toString() ? '?' + q : ''), { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body && body.detail) || ('HTTP ' + response.status));
  return body;
}

function baseParams(range) {
  return { site: state.site, from: range.from.toISOString(), to: range.to.toISOString(), filters: filtersParam() };
}

/* ---------- KPIs ---------- */
const KPIS = [
  { key: 'visitors', label: 'Unique visitors', fmt: compact },
  { key: 'pageviews', label: 'Pageviews', fmt: compact },
  { key: 'sessions', label: 'Visits', fmt: compact },
  { key: 'views_per_session', label: 'Views / visit', fmt: (v) => v.toFixed(2) },
  { key: 'bounce_rate', label: 'Bounce rate', fmt: (v) => Math.round(v) + '%', lowerIsBetter: true },
  { key: 'visit_duration_s', label: 'Visit duration', fmt: duration },
];

function renderKpis(summary) {
  const box = $('kpis');
  box.replaceChildren(...KPIS.map((k) => {
    const now = summary[k.key];
    const before = summary.previous[k.key];
    let delta = null;
    if (before > 0) {
      const pct = Math.round(((now - before) / before) * 100);
      const good = k.lowerIsBetter ? pct < 0 : pct > 0;
      delta = h('div', { class: 'delta ' + (pct === 0 ? 'flat' : good ? 'up' : 'down'), title: 'previous period: ' + k.fmt(before) },
        (pct > 0 ? '↑ ' : pct < 0 ? '↓ ' : '') + Math.abs(pct) + '%', h('span', { class: 'prev', text: 'vs ' + k.fmt(before) }));
    } else {
      delta = h('div', { class: 'delta flat', text: before === 0 && now > 0 ? 'new' : ' ' });
    }
    // Above query.exactVisitorsUpTo sessions the server estimates visitors (HyperLogLog, a few %): say so.
    const estimated = k.key === 'visitors' && summary.visitors_estimated;
    return h('div', { class: 'kpi', id: 'kpi-' + k.key },
      h('div', { class: 'label', text: k.label }),
      h('div', { class: 'value', text: (estimated ? '≈ ' : '') + k.fmt(now),
        title: estimated ? 'estimated (HyperLogLog, within a few percent): ' + now.toLocaleString() : now.toLocaleString() }),
      delta);
  }));
}

/* ---------- chart: an SVG drawn by hand ---------- */
function niceMax(v) {
  if (v <= 4) return 4;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

function bucketLabel(iso, interval, short) {
  const d = new Date(iso);
  if (interval === 'minute' || interval === 'hour') return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (interval === 'month') return d.toLocaleDateString([], { month: 'short', year: short ? undefined : 'numeric' });
  return d.toLocaleDateString([], { month: 'short', day: 'numeric', weekday: short ? undefined : 'short' });
}

function renderChart(series, previous, interval) {
  const box = $('chart');
  const W = Math.max(box.clientWidth - 24, 300);
  const H = 280;
  const pad = { l: 44, r: 12, t: 14, b: 28 };
  const pts = series.points;
  const prev = previous ? previous.points : [];
  const max = niceMax(Math.max(1, ...pts.map((p) => Math.max(p.visitors, p.pageviews)), ...prev.map((p) => p.visitors)));
  const n = pts.length;
  const x = (i) => pad.l + (n <= 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (n - 1));
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Visitors and pageviews over time' });
  const defs = s('defs');
  const grad = s('linearGradient', { id: 'area-fill', x1: 0, y1: 0, x2: 0, y2: 1 });
  grad.append(s('stop', { offset: '0%', 'stop-color': '#4f46e5', 'stop-opacity': '0.18' }));
  grad.append(s('stop', { offset: '100%', 'stop-color': '#4f46e5', 'stop-opacity': '0' }));
  defs.append(grad);
  svg.append(defs);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(s('line', { class: 'grid-line', x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v) }));
    const t = s('text', { class: 'axis', x: pad.l - 8, y: y(v) + 4, 'text-anchor': 'end' });
    t.textContent = compact(v);
    svg.append(t);
  }
  const every = Math.max(1, Math.ceil(n / Math.floor((W - pad.l) / 70)));
  pts.forEach((p, i) => {
    if (i % every !== 0) return;
    // The last label ends at the last point, inside the chart.
    const t = s('text', { class: 'axis', x: x(i), y: H - 8, 'text-anchor': i === n - 1 && n > 1 ? 'end' : 'middle' });
    t.textContent = bucketLabel(p.start, interval, true);
    svg.append(t);
  });
  const path = (key, list) => list.map((p, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(p[key]).toFixed(1)).join(' ');
  if (n > 0) {
    svg.append(s('path', { class: 'area', d: path('visitors', pts) + ` L${x(n - 1)},${y(0)} L${x(0)},${y(0)} Z` }));
    if (prev.length) svg.append(s('path', { class: 'line-previous', d: path('visitors', prev.slice(0, n)) }));
    svg.append(s('path', { class: 'line-pageviews', d: path('pageviews', pts) }));
    svg.append(s('path', { class: 'line-visitors', d: path('visitors', pts) }));
  }
  const hover = s('line', { class: 'hover-line', x1: 0, x2: 0, y1: pad.t, y2: H - pad.b, visibility: 'hidden' });
  const dotV = s('circle', { class: 'dot-visitors', r: 4, visibility: 'hidden' });
  const dotP = s('circle', { class: 'dot-pageviews', r: 4, visibility: 'hidden' });
  svg.append(hover, dotP, dotV);
  const tip = h('div', { class: 'tooltip', hidden: true });
  svg.addEventListener('mousemove', (ev) => {
    if (!n) return;
    const rect = svg.getBoundingClientRect();
    const px = ((ev.clientX - rect.left) / rect.width) * W;
    const i = Math.max(0, Math.min(n - 1, Math.round(((px - pad.l) / (W - pad.l - pad.r)) * (n - 1))));
    const p = pts[i];
    for (const el of [hover, dotV, dotP]) el.setAttribute('visibility', 'visible');
    hover.setAttribute('x1', x(i)); hover.setAttribute('x2', x(i));
    dotV.setAttribute('cx', x(i)); dotV.setAttribute('cy', y(p.visitors));
    dotP.setAttribute('cx', x(i)); dotP.setAttribute('cy', y(p.pageviews));
    const rows = [h('div', { class: 't-title', text: bucketLabel(p.start, interval, false) }),
      h('div', { class: 't-row' }, h('span', { text: 'Visitors' }), h('b', { text: p.visitors.toLocaleString() })),
      h('div', { class: 't-row' }, h('span', { text: 'Pageviews' }), h('b', { text: p.pageviews.toLocaleString() }))];
    if (prev[i]) rows.push(h('div', { class: 't-row' }, h('span', { text: 'Previous visitors' }), h('b', { text: prev[i].visitors.toLocaleString() })));
    tip.replaceChildren(...rows);
    tip.hidden = false;
    const left = (x(i) / W) * rect.width + 12;
    tip.style.left = Math.min(left, rect.width - 170) + 'px';
    tip.style.top = '16px';
  });
  svg.addEventListener('mouseleave', () => {
    tip.hidden = true;
    for (const el of [hover, dotV, dotP]) el.setAttribute('visibility', 'hidden');
  });
  box.replaceChildren(svg, tip);
}

/* ---------- top lists ---------- */
function setupPanels() {
  document.querySelectorAll('.panel').forEach((panel) => {
    const tabs = panel.dataset.tabs.split('|').map((t) => { const [dim, label] = t.split(':'); return { dim, label }; });
    state.tabs[panel.id] = state.tabs[panel.id] || tabs[0].dim;
    const tabBar = h('div', { class: 'tabs', role: 'tablist' }, tabs.map((t) =>
      h('button', { type: 'button', 'data-dim': t.dim, role: 'tab', text: t.label, onclick: () => {
        state.tabs[panel.id] = t.dim;
        loadPanel(panel, currentRange(), loadSeq);
      } })));
    const head = h('div', { class: 'card-head' }, tabs.length === 1 ? h('h2', { text: tabs[0].label }) : tabBar);
    panel.replaceChildren(head, h('div', { class: 'list-head' }, h('span', { class: 'col-name', text: '' }), h('span', { class: 'col-num', text: 'Visitors' })),
      h('ol', { class: 'rows', 'data-dimension': tabs[0].dim }));
  });
}

async function loadPanel(panel, range, seq) {
  const dim = state.tabs[panel.id];
  // 'prop' lists the custom properties' keys; 'prop:<key>' one key's values, under the Properties tab.
  const propKey = dim.startsWith('prop:') ? dim.slice(5) : null;
  const tab = propKey === null ? dim : 'prop';
  panel.querySelectorAll('.tabs button').forEach((b) => b.classList.toggle('active', b.dataset.dim === tab));
  const sessionLevel = dim === 'entry_page' || dim === 'exit_page';
  const counted = dim === 'event_name' || tab === 'prop';
  const nameCell = panel.querySelector('.col-name');
  if (propKey !== null) {
    nameCell.replaceChildren(h('button', { type: 'button', class: 'back', title: 'Back to all properties', text: '‹ ' + propKey,
      onclick: () => { state.tabs[panel.id] = 'prop'; loadPanel(panel, currentRange(), loadSeq); } }));
  } else {
    nameCell.textContent = DIM_NAMES[dim] || dim;
  }
  panel.querySelector('.col-num').textContent = counted ? 'Events · Visitors · CR' : sessionLevel ? 'Visits · Visitors'
    : dim === 'path' ? 'Views · Visitors' : 'Visitors';
  const list = panel.querySelector('.rows');
  list.dataset.dimension = dim;
  let data;
  try {
    data = await api('/api/stats/top', { ...baseParams(range), dimension: dim, limit: 9 });
  } catch (e) {
    list.replaceChildren(h('li', { class: 'empty', text: 'Cannot load: ' + e.message }));
    return;
  }
  if (seq !== loadSeq || state.tabs[panel.id] !== dim) return;
  let rows = data.rows;
  if (dim.startsWith('utm_')) rows = rows.filter((r) => r.value !== null);
  if (!rows.length) {
    list.replaceChildren(h('li', { class: 'empty', text: tab !== 'prop' ? 'No data for this period'
      : propKey === null ? 'No custom properties in this period' : 'No event with this property in this period' }));
    return;
  }
  const max = Math.max(...rows.map((r) => r.visitors), 1);
  list.replaceChildren(...rows.map((r) => {
    const second = counted ? r.pageviews + r.events : sessionLevel ? r.sessions : dim === 'path' ? r.pageviews : null;
    const bar = h('span', { class: 'bar' });
    bar.style.width = Math.max(2, (r.visitors / max) * 100) + '%';
    const value = r.value === null ? '(none)' : r.value;
    // A key opens its values; any other row filters by its value.
    const open = dim === 'prop'
      ? () => { state.tabs[panel.id] = 'prop:' + r.value; loadPanel(panel, currentRange(), loadSeq); }
      : () => addFilter(dim, '==', value);
    return h('li', { class: 'row', title: dim === 'prop' ? 'Show the values of ' + r.value : 'Filter by ' + displayValue(dim, r.value),
      'data-value': value, onclick: open },
      bar,
      h('span', { class: 'label' + (r.value === null ? ' none' : ''), text: displayValue(dim, r.value) }),
      h('span', { class: 'num' }, second === null ? null : h('span', { class: 'sub', text: compact(second) }), h('span', { text: compact(r.visitors) }),
        // A goal's conversion rate: its visitors over all the period's visitors under the other filters.
        r.conversion_rate === undefined ? null : h('span', { class: 'sub cr', title: 'Conversion rate: ' + r.visitors + ' of '
          + data.conversion_base + ' visitors', text: percent(r.conversion_rate) })));
  }));
}

/* ---------- funnel ---------- */
// Filters on pages and events would keep only those events and take the steps apart: the funnel uses the others.
const skipsFunnel = (f) => f.dimension === 'path' || f.dimension === 'event_name' || f.dimension.startsWith('prop:');

async function loadFunnel(range, seq) {
  const list = $('funnel-rows');
  if (!state.funnel) { list.replaceChildren(); return; }
  const skipped = state.filters.filter(skipsFunnel);
  const note = skipped.length ? h('li', { class: 'empty', text: 'Not applied to the funnel: ' + skipped.map((f) => f.dimension + f.op + f.value).join(', ') }) : null;
  const filters = state.filters.filter((f) => !skipsFunnel(f))
    .map((f) => escapeFilterDimension(f.dimension) + f.op + escapeFilterValue(f.value)).join(';');
  let data;
  try {
    data = await api('/api/stats/funnel', { ...baseParams(range), filters, steps: state.funnel });
  } catch (e) {
    if (seq === loadSeq) list.replaceChildren(...[h('li', { class: 'empty', text: 'Cannot show this funnel: ' + e.message }), note].filter(Boolean));
    return;
  }
  if (seq !== loadSeq) return;
  const first = Math.max(data.steps[0].visits, 1);
  const rows = data.steps.map((st, i) => {
    const bar = h('span', { class: 'bar' });
    bar.style.width = Math.max(2, (st.visits / first) * 100) + '%';
    return h('li', { class: 'row', 'data-step': String(i + 1), title: plural(st.visitors, 'visitor') + (i ? ', ' + plural(st.dropoff, 'visit')
      + ' dropped off (' + percent(st.dropoff_rate) + ')' : '') },
      bar,
      h('span', { class: 'label', text: (i + 1) + '. ' + st.step }),
      h('span', { class: 'num' }, h('span', { class: 'sub', text: st.dropoff ? '−' + compact(st.dropoff) : '' }),
        h('span', { text: compact(st.visits) }), h('span', { class: 'sub cr', text: percent(st.conversion_rate) })));
  });
  if (note) rows.push(note);
  list.replaceChildren(...rows);
}

/* ---------- filters ---------- */
const DIM_LABELS = { path: 'Page', entry_page: 'Entry page', exit_page: 'Exit page', source: 'Source', referrer_host: 'Referrer', referrer_type: 'Channel',
  utm_campaign: 'Campaign', utm_source: 'UTM source', utm_medium: 'UTM medium', country: 'Country', region: 'Region', city: 'City',
  browser: 'Browser', os: 'OS', device_type: 'Device', screen: 'Screen', language: 'Language', event_name: 'Goal' };
// A list's column heading: the filter chip's label, spelt out where the chip abbreviates.
const DIM_NAMES = { ...DIM_LABELS, os: 'Operating system', screen: 'Screen size', prop: 'Property' };

function addFilter(dimension, op, value) {
  state.filters = state.filters.filter((f) => f.dimension !== dimension).concat([{ dimension, op, value }]);
  refresh();
}

function renderFilters() {
  const box = $('filters');
  const chips = state.filters.map((f, i) => h('span', { class: 'chip' },
    h('span', null, (f.dimension.startsWith('prop:') ? f.dimension.slice(5) : DIM_LABELS[f.dimension] || f.dimension) + (f.op === '==' ? ' is ' : f.op === '!=' ? ' is not ' : ' contains ')),
    h('b', { text: displayValue(f.dimension, f.value === '(none)' ? null : f.value) }),
    h('button', { type: 'button', 'aria-label': 'Remove filter', text: '×', onclick: () => { state.filters.splice(i, 1); refresh(); } })));
  if (chips.length > 1) chips.push(h('button', { type: 'button', class: 'chip-clear', text: 'Clear all', onclick: () => { state.filters = []; refresh(); } }));
  box.replaceChildren(...chips);
}

/* ---------- realtime and live stream ---------- */
async function loadRealtime() {
  if (!state.site) return;
  try {
    const r = await api('/api/stats/realtime', { site: state.site, filters: filtersParam() });
    $('realtime-count').textContent = r.visitors.toLocaleString();
    const max = Math.max(1, ...r.pageviews_per_minute);
    $('spark').replaceChildren(...r.pageviews_per_minute.map((v, i, all) => {
      const bar = h('i', { class: i === all.length - 1 ? 'now' : '', title: v + ' pageviews' });
      bar.style.height = Math.max(4, (v / max) * 100) + '%';
      return bar;
    }));
  } catch (e) {
    $('realtime-count').textContent = '–';
  }
}

function connectLive() {
  if (liveSource) liveSource.close();
  const list = $('live-list');
  list.replaceChildren(h('li', { class: 'empty', text: 'Waiting for events…' }));
  if (!state.site || typeof EventSource === 'undefined') return;
  liveSource = new EventSource('/api/tap?topic=events&site=' + encodeURIComponent(state.site));
  liveSource.onopen = () => { $('live-status').textContent = 'streaming'; };
  liveSource.onerror = () => { $('live-status').textContent = 'reconnecting…'; };
  const onEvent = (kind) => (msg) => {
    let e;
    try { e = JSON.parse(msg.data); } catch (err) { return; }
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();
    const when = new Date(e.received_at || Date.now());
    const what = kind === 'event' ? (e.name || 'event') + (e.path ? ' on ' + e.path : '') : (e.path || e.url || '/');
    const where = [e.country, e.browser, e.device_type].filter(Boolean).join(' · ');
    const li = h('li', { class: 'fresh' },
      h('time', { text: when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) }),
      h('span', { class: 'badge ' + kind, text: kind === 'event' ? 'event' : 'view' }),
      h('span', { class: 'what', text: what, title: e.url || what }),
      h('span', { class: 'where', text: where }));
    list.prepend(li);
    while (list.children.length > 40) list.lastElementChild.remove();
  };
  liveSource.addEventListener('pageview', onEvent('pageview'));
  liveSource.addEventListener('event', onEvent('event'));
}

/* ---------- pipeline panel ---------- */
async function loadPipeline() {
  let p;
  try {
    p = await api('/api/pipeline');
  } catch (e) {
    $('stages').replaceChildren(h('div', { class: 'muted', text: 'Pipeline status unavailable: ' + e.message }));
    return;
  }
  const stages = [];
  p.stages.forEach((st, i) => {
    if (i) stages.push(h('div', { class: 'arrow', text: '→' }));
    const lag = st.lag === null ? 'no queue' : compact(st.lag) + ' waiting';
    stages.push(h('div', { class: 'stage', id: 'stage-' + st.name },
      h('h3', { text: st.name }),
      h('div', { class: 'rate' }, st.events_per_s === null ? '–' : compact(st.events_per_s), h('small', { text: 'events/s' })),
      h('div', { class: 'lag' + (st.lag > 10000 ? ' warn' : ''), text: 'lag: ' + lag })));
  });
  $('stages').replaceChildren(...stages);
  const f = p.freshness_ms;
  $('pipeline-freshness').textContent = f.mean === null ? 'freshness: no batch yet'
    : 'freshness ' + (f.mean < 1000 ? Math.round(f.mean) + ' ms' : (f.mean / 1000).toFixed(1) + ' s') + ' mean · '
      + (f.max < 1000 ? Math.round(f.max) + ' ms' : (f.max / 1000).toFixed(1) + ' s') + ' max';
  const bad = $('bad');
  if (!p.bad.length) {
    bad.replaceChildren(h('div', { class: 'ok', text: '✓ No bad events' + (p.bad_total ? ' recently (' + compact(p.bad_total) + ' in total)' : '') }));
    return;
  }
  bad.replaceChildren(h('table', null,
    h('thead', null, h('tr', null, h('th', { text: 'Bad events by reason' + (p.bad_total !== null ? ' · ' + compact(p.bad_total) + ' total' : '') }),
      h('th', { text: 'Stage' }), h('th', { text: 'Recent' }))),
    h('tbody', null, p.bad.map((b) => h('tr', null,
      h('td', null, h('b', { text: b.reason }), h('code', { text: b.sample, title: b.sample })),
      h('td', { text: b.stage }),
      h('td', { class: 'count', text: compact(b.count) }))))));
}

/* ---------- orchestration ---------- */
async function loadSites() {
  let sites;
  const picker = $('site-picker');
  try {
    const answer = await api('/api/sites');
    sites = answer.sites;
    state.deletedBefore = answer.deleted_before ? new Date(answer.deleted_before) : null;
  } catch (e) {
    // A server busy for a moment (a 503) leaves the picker as it was, rather than cut it to the site shown.
    if (picker.options.length > 0) return;
    sites = [];
  }
  showRetentionNote();
  if (state.site && !sites.includes(state.site)) sites.unshift(state.site);
  // Rebuilt only when the list changed: the 30-s reload must not close a picker that is open.
  if ([...picker.options].map((o) => o.value).join('\n') !== sites.join('\n')) {
    picker.replaceChildren(...sites.map((site) => h('option', { value: site, text: site })));
  }
  if (!state.site) state.site = sites[0] || null;
  picker.value = state.site || '';
  $('empty-state').hidden = !!state.site;
}

// Under a range (or, comparing, its previous period) that starts before the retention cutoff: why it is empty there.
function showRetentionNote() {
  const cut = state.deletedBefore;
  const range = currentRange();
  const from = state.compare ? addDays(range.from, -range.days) : range.from;
  const note = $('retention-note');
  note.hidden = !cut || from >= cut;
  if (!note.hidden) {
    note.textContent = 'Events received before ' + cut.toLocaleString() + ' have been deleted (loader.retention): '
      + 'the numbers before then are empty.';
  }
}

async function refresh() {
  writeHash();
  showRetentionNote();
  renderFilters();
  document.querySelectorAll('#range-picker button').forEach((b) => b.classList.toggle('active', b.dataset.range === state.range));
  $('custom-range').hidden = state.range !== 'custom';
  $('compare').checked = state.compare;
  $('legend-previous').hidden = !state.compare;
  if (!state.site) return;
  const seq = ++loadSeq;
  // The realtime counter follows the filters at once, once the first view is drawn (before it, main() starts it).
  if (document.documentElement.dataset.firstLoadMs) loadRealtime();
  const range = currentRange();
  const params = baseParams(range);
  // The same number of calendar days before: a week across a daylight-saving change is 167 or 169 hours long,
  // and the previous week's days must line up with this one's.
  const prevRange = { from: addDays(range.from, -range.days), to: range.from, interval: range.interval };
  const summary = api('/api/stats/summary', params);
  const series = api('/api/stats/timeseries', { ...params, interval: range.interval, tz: TZ });
  const previous = state.compare ? api('/api/stats/timeseries', { ...baseParams(prevRange), interval: range.interval, tz: TZ }) : null;
  const panels = [...document.querySelectorAll('.panel')].map((panel) => loadPanel(panel, range, seq));
  panels.push(loadFunnel(range, seq));
  try {
    const [sum, ser, prev] = await Promise.all([summary, series, previous]);
    if (seq !== loadSeq) return;
    renderKpis(sum);
    renderChart(ser, prev, range.interval);
  } catch (e) {
    $('kpis').replaceChildren(h('div', { class: 'kpi', text: 'Cannot load stats: ' + e.message }));
  }
  await Promise.all(panels);
  document.body.dataset.loaded = String(seq);
  // Navigation start to every number, chart and list drawn: what bench/query.sh reads from a real browser.
  if (!document.documentElement.dataset.firstLoadMs) {
    document.documentElement.dataset.firstLoadMs = String(Math.round(performance.now()));
  }
}

function wire() {
  document.querySelectorAll('#range-picker button').forEach((b) => b.addEventListener('click', () => {
    state.range = b.dataset.range;
    if (state.range === 'custom') {
      const r = currentRange();
      $('custom-from').value = state.from || isoDate(addDays(r.to, -7));
      $('custom-to').value = state.to || isoDate(addDays(r.to, -1));
      $('custom-range').hidden = false;
      document.querySelectorAll('#range-picker button').forEach((x) => x.classList.toggle('active', x === b));
      return;
    }
    refresh();
  }));
  $('custom-apply').addEventListener('click', () => {
    if (!$('custom-from').value || !$('custom-to').value || $('custom-from').value > $('custom-to').value) return;
    state.from = $('custom-from').value;
    state.to = $('custom-to').value;
    refresh();
  });
  $('compare').addEventListener('change', () => { state.compare = $('compare').checked; refresh(); });
  $('funnel-steps').value = state.funnel; // once: a refresh must not undo what is being typed
  $('funnel-form').addEventListener('submit', (e) => { e.preventDefault(); state.funnel = $('funnel-steps').value.trim(); refresh(); });
  $('site-picker').addEventListener('change', () => {
    state.site = $('site-picker').value;
    state.filters = [];
    refresh();
    connectLive();
  });
  window.addEventListener('hashchange', () => {
    const site = state.site;
    readHash();
    $('funnel-steps').value = state.funnel;
    if (state.site !== site) {
      loadSites();
      connectLive();
    }
    refresh();
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(refresh, 200); });
}

async function main() {
  readHash();
  setupPanels();
  wire();
  // A site named in the link needs no site list first: its numbers load while the picker fills. The live
  // parts (realtime counter, event stream, pipeline panel) start once the first view is drawn, so that on
  // a large warehouse they do not take the browser's connections and the server's threads from it.
  const sitesLoaded = loadSites();
  if (!state.site) await sitesLoaded;
  const firstView = refresh();
  displayNames('region');
  displayNames('language');
  await firstView;
  loadRealtime();
  connectLive();
  loadPipeline();
  setInterval(loadRealtime, 5000);
  setInterval(loadPipeline, 5000);
  // The live list shows events as they arrive; the numbers catch up every 30 s without a reload, and so do the
  // site list (a site that has just sent its first event) and the retention's cutoff (moved by the hourly run).
  setInterval(async () => { if (!document.hidden) { await loadSites(); refresh(); } }, 30000);
}

document.addEventListener('DOMContentLoaded', main);
