// Runs footfall.js against a minimal fake browser (no DOM library) and prints, as one JSON object, what
// it sent: node fake-browser.js footfall.js. Used by TrackerBehaviourTest when node is installed.
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
function browser(attrs, nav) {
  const sent = [], listeners = {}, docListeners = {};
  let ids = 0;
  const loc = {href: 'https://shop.test/a?x=1', get host() { return new URL(this.href).host; }};
  const timers = [];
  const w = {
    location: loc, screen: {width: 1920, height: 1080}, crypto: {randomUUID: () => '123e4567-e89b-42d3-a456-' + String(++ids).padStart(12, '0')},
    addEventListener: (t, f) => (listeners[t] = listeners[t] || []).push(f),
    setTimeout: (f) => { timers.push(f); return timers.length; }, clearTimeout: () => { timers.length = 0; },
    Intl: Intl, JSON: JSON, URL: URL, String: String,
  };
  const d = {
    currentScript: {getAttribute: (n) => attrs[n] === undefined ? null : attrs[n], hasAttribute: (n) => n in attrs, src: 'https://collector.test/footfall.js'},
    referrer: 'https://search.test/', title: 'Page A', visibilityState: 'visible',
    addEventListener: (t, f) => (docListeners[t] = docListeners[t] || []).push(f),
  };
  const n = Object.assign({language: 'en-GB', sendBeacon: (url, body) => { sent.push({url, body: JSON.parse(body)}); return true; }}, nav);
  const history = {pushState(s, t, u) { loc.href = new URL(u, loc.href).href; }, replaceState(s, t, u) { loc.href = new URL(u, loc.href).href; }};
  const fn = new Function('window', 'document', 'navigator', 'history', 'location', 'screen', 'crypto', 'setTimeout', 'clearTimeout', 'URL', src);
  fn(w, d, n, history, loc, w.screen, w.crypto, w.setTimeout, w.clearTimeout, URL);
  return {w, d, history, sent, listeners, docListeners, loc, flushTimers: () => { const t = timers.splice(0); t.forEach((f) => f()); }};
}
const b = browser({'data-site': 'shop.test'}, {});
b.history.pushState({}, '', '/b');
b.history.replaceState({}, '', '/b');           // same URL: no second view
b.w.footfall('event', 'signup', {plan: 'pro'});
const beforeHidden = b.sent.length;
b.docListeners.visibilitychange.forEach((f) => { b.d.visibilityState = 'hidden'; f(); });
const dnt = browser({'data-site': 'shop.test', 'data-respect-dnt': ''}, {globalPrivacyControl: true});
dnt.flushTimers(); dnt.listeners.pagehide.forEach((f) => f());
const dntIgnored = browser({'data-site': 'shop.test'}, {globalPrivacyControl: true});
dntIgnored.listeners.pagehide.forEach((f) => f());
const api = browser({'data-site': 'shop.test', 'data-api': 'https://other.test/v1/events'}, {});
api.listeners.pagehide.forEach((f) => f());
// Clicks on links: another host (sent at once), the same host, a mailto link, a click outside any link.
function link(href) {
  const u = new URL(href);
  const a = {href: u.href, protocol: u.protocol, host: u.host};
  return {closest: (selector) => selector === 'a[href]' ? a : null};
}
const out = browser({'data-site': 'shop.test', 'data-outbound-links': ''}, {});
out.flushTimers(); out.sent.length = 0;
const click = (target) => out.docListeners.click.forEach((f) => f({target}));
click(link('https://docs.other.test/guide?x=1'));
const outboundSent = out.sent.length;
click(link('https://shop.test/pricing'));
click(link('mailto:sales@shop.test'));
click({closest: () => null});
out.docListeners.auxclick.forEach((f) => f({target: link('http://partner.test/')}));
out.listeners.pagehide.forEach((f) => f());
const plain = browser({'data-site': 'shop.test'}, {});
console.log(JSON.stringify({sentBeforeHidden: beforeHidden, beacons: b.sent, gpcRespected: dnt.sent.length,
  gpcNotAsked: dntIgnored.sent.length, apiUrl: api.sent[0].url, outboundSentAtOnce: outboundSent,
  outbound: out.sent.flatMap((x) => x.body), plainListensForClicks: 'click' in plain.docListeners}));
