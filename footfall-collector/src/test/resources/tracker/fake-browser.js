// Runs footfall.js against a minimal fake browser (no DOM library) and prints, as one JSON object, what
// it sent: node fake-browser.js footfall.js. Used by TrackerBehaviourTest when node is installed.
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
function browser(attrs, nav) {
  const sent = [], listeners = {}, docListeners = {};
  let ids = 0;
  const loc = {href: 'https://shop.test/a?x=1', get host() { return new URL(this.href).host; }, get origin() { return new URL(this.href).origin; },
    get pathname() { return new URL(this.href).pathname; }, get hash() { return new URL(this.href).hash; }};
  const timers = new Map();
  let timerIds = 0;
  const warnings = [];
  const w = {
    location: loc, screen: {width: 1920, height: 1080}, crypto: {randomUUID: () => '123e4567-e89b-42d3-a456-' + String(++ids).padStart(12, '0')},
    addEventListener: (t, f) => (listeners[t] = listeners[t] || []).push(f),
    setTimeout: (f) => { timers.set(++timerIds, f); return timerIds; }, clearTimeout: (id) => { timers.delete(id); },
    Intl: Intl, JSON: JSON, URL: URL, String: String, console: {warn: (m) => warnings.push(m)},
  };
  const d = {
    currentScript: {getAttribute: (n) => attrs[n] === undefined ? null : attrs[n], hasAttribute: (n) => n in attrs, src: 'https://collector.test/footfall.js'},
    referrer: 'https://search.test/', title: 'Page A', visibilityState: 'visible',
    addEventListener: (t, f) => (docListeners[t] = docListeners[t] || []).push(f),
  };
  const n = Object.assign({language: 'en-GB', sendBeacon: (url, body) => { sent.push({url, body: JSON.parse(body)}); return true; }}, nav);
  const history = {pushState(s, t, u) { loc.href = new URL(u, loc.href).href; }, replaceState(s, t, u) { loc.href = new URL(u, loc.href).href; }};
  const fn = new Function('window', 'document', 'navigator', 'history', 'location', 'screen', 'crypto', 'setTimeout', 'clearTimeout',
    'URL', 'console', src);
  const run = () => fn(w, d, n, history, loc, w.screen, w.crypto, w.setTimeout, w.clearTimeout, URL, w.console);
  if (!nav.later) run();
  return {w, d, history, sent, listeners, docListeners, loc, warnings, run,
    flushTimers: () => { const t = [...timers.values()]; timers.clear(); t.forEach((f) => f()); },
    hide: () => { d.visibilityState = 'hidden'; docListeners.visibilitychange.forEach((f) => f()); },
    events: () => sent.flatMap((x) => x.body)};
}
const b = browser({'data-site': 'shop.test'}, {});
b.history.pushState({}, '', '/b');
b.history.replaceState({}, '', '/b');           // same URL: no second view
b.w.footfall('event', 'signup', {plan: 'pro'});
const beforeHidden = b.sent.length;
b.hide();
const dnt = browser({'data-site': 'shop.test', 'data-respect-dnt': ''}, {globalPrivacyControl: true});
dnt.flushTimers(); dnt.listeners.pagehide.forEach((f) => f());
const dntIgnored = browser({'data-site': 'shop.test'}, {globalPrivacyControl: true});
dntIgnored.listeners.pagehide.forEach((f) => f());
const api = browser({'data-site': 'shop.test', 'data-api': 'https://other.test/v1/events'}, {});
api.listeners.pagehide.forEach((f) => f());
// Clicks on links: another host (sent at once), the same host, a mailto link, a click outside any link.
function link(href) {
  const u = new URL(href, 'https://shop.test/a?x=1');
  const a = {href: u.href, protocol: u.protocol, host: u.host, pathname: u.pathname};
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
out.docListeners.auxclick.forEach((f) => f({target: link('http://partner.test/'), button: 1}));
out.docListeners.auxclick.forEach((f) => f({target: link('http://menu.test/'), button: 2})); // the right button's menu
out.listeners.pagehide.forEach((f) => f());
const plain = browser({'data-site': 'shop.test'}, {});

// Props are what they were when the event was tracked; what the collector would refuse is left out, with a warning,
// and the rest of the event and the batch are kept.
const props = browser({'data-site': 'shop.test'}, {});
const step = {step: 1};
props.w.footfall('event', 'Wizard', step);
step.step = 2;
props.w.footfall('event', 'Wizard', step);
const cyclic = {ok: 'yes', when: new Date(Date.UTC(2026, 10, 28))};
cyclic.self = cyclic;
props.w.footfall('event', 'Odd', Object.assign(cyclic, {big: 10n, list: [1], nested: {a: 1}, nan: NaN, long: 'x'.repeat(2000),
  ['k'.repeat(65)]: 1, '': 2}));
props.w.footfall('event', 'n'.repeat(200));
props.w.footfall('event', 'Listed', ['a', 'b']);
// 32 props of 1,024 three-byte characters (96 KB) would make the event one the collector refuses (32 KB): props past
// 6,000 characters in all are left out, the event kept.
const wide = {};
for (let i = 0; i < 32; i++) wide['p' + i] = '\u20ac'.repeat(1024);
props.w.footfall('event', 'Wide', wide);
props.hide();

// 50 events of 1.4 KB each: more than one beacon may carry (64 KB), so several, none over 20,000 characters.
const big = browser({'data-site': 'shop.test'}, {});
for (let i = 0; i < 50; i++) big.w.footfall('event', 'Field', {i, value: 'x'.repeat(1000), label: 'y'.repeat(400)});
big.w.footfall('flush');

// A router: the URL first, then the title; a link to a fragment; back to a fragment of an earlier page.
const spa = browser({'data-site': 'shop.test'}, {});
spa.history.pushState({}, '', '/pricing');
spa.d.title = 'Pricing';
spa.flushTimers();
spa.loc.href = 'https://shop.test/pricing#faq';
spa.listeners.popstate.forEach((f) => f());
spa.flushTimers();
spa.history.pushState({}, '', '/about');
spa.w.footfall('event', 'Contact');       // before the navigation's timer: the view first, then the event
spa.hide();

// A search box writing its query to the URL with replaceState on every keystroke is one page; replaceState to
// another path (a redirect) and pushState (a router's link, even to the same path with another query) are views.
const search = browser({'data-site': 'shop.test'}, {});
search.history.pushState({}, '', '/search');
search.flushTimers();
for (const q of ['s', 'sh', 'sho', 'shoe']) { search.history.replaceState({}, '', '/search?q=' + q); search.flushTimers(); }
search.history.replaceState({}, '', '/login?next=%2Fsearch');
search.flushTimers();
search.history.pushState({}, '', '/login?next=%2Faccount');
search.flushTimers();
search.hide();
// With data-hash the route is in the fragment: replaceState to another route is a view, to its own query is not.
const hashSearch = browser({'data-site': 'shop.test', 'data-hash': ''}, {later: true});
hashSearch.loc.href = 'https://shop.test/#/inbox';
hashSearch.run();
hashSearch.history.replaceState({}, '', '/#/settings');
hashSearch.flushTimers();
hashSearch.history.replaceState({}, '', '/?tab=2#/settings');
hashSearch.flushTimers();
hashSearch.hide();

// Opened from an Android app (Gmail): the browser reports the app as the referrer.
const app = browser({'data-site': 'shop.test'}, {later: true});
app.d.referrer = 'android-app://com.google.android.gm/';
app.run();
app.hide();
const badScheme = browser({'data-site': 'shop.test'}, {later: true});
badScheme.d.referrer = 'ios-app://123/x';
badScheme.run();
badScheme.hide();

// The script included twice, and calls queued before it loaded.
const twice = browser({'data-site': 'shop.test'}, {later: true});
twice.w.footfall = Object.assign(function () {}, {q: [['event', 'Early']]});
twice.run();
twice.run();
twice.history.pushState({}, '', '/next');
twice.hide();
const none = browser({}, {});

// data-hash: a router in the fragment. Browsers fire popstate and hashchange for one change of the fragment (older ones
// hashchange alone).
const hash = browser({'data-site': 'shop.test', 'data-hash': ''}, {later: true});
hash.loc.href = 'https://shop.test/#/inbox';
hash.run();
hash.loc.href = 'https://shop.test/#/settings';
hash.listeners.popstate.forEach((f) => f());
(hash.listeners.hashchange || []).forEach((f) => f());
hash.flushTimers();
hash.loc.href = 'https://shop.test/#/profile';
(hash.listeners.hashchange || []).forEach((f) => f()); // an older browser: hashchange alone
hash.flushTimers();
hash.history.pushState({}, '', '/#/billing');
hash.w.footfall('event', 'Save');
hash.hide();

// data-manual: the page is /user/42, reached from /user/41, and the site names it /user/:id. Nothing it does not
// send itself may carry the real address: not the view, the events and clicks on it, nor the referrer.
const manual = browser({'data-site': 'shop.test', 'data-manual': '', 'data-outbound-links': ''}, {later: true});
manual.loc.href = 'https://shop.test/user/42';
manual.d.referrer = 'https://shop.test/user/41?tab=posts';
manual.run();
manual.history.pushState({}, '', '/user/42/edit');
manual.flushTimers();
manual.w.footfall('flush');
const manualSentUnasked = manual.sent.length;
manual.w.footfall('pageview', {url: '/user/:id'});
manual.w.footfall('event', 'Follow');
manual.docListeners.click.forEach((f) => f({target: link('https://docs.other.test/')}));
manual.w.footfall('pageview', {url: 'javascript:alert(1)'});
manual.w.footfall('pageview', {url: 'http://[::1'});
manual.w.footfall('pageview', {url: undefined}); // a route template the site forgot to set: nothing, not the real URL
manual.w.footfall('pageview', {url: ''});
manual.history.pushState({}, '', '/user/43');
manual.w.footfall('pageview', {url: '/user/:id'}); // another user, the same address: a view again
manual.w.footfall('pageview');
manual.hide();

// Without data-manual, a view under another address is one more view; a repeat of the page's own is not.
const extra = browser({'data-site': 'shop.test'}, {});
extra.w.footfall('pageview');
extra.w.footfall('pageview', {url: '?step=2'});
extra.w.footfall('event', 'Next');
extra.history.pushState({}, '', '/b');
extra.flushTimers();
extra.history.pushState({}, '', '/c');
extra.w.footfall('pageview', {url: '/c/:id'}); // before the navigation's timer: the navigation's view first
extra.hide();

// data-file-downloads: by the path's extension, on any host, left or middle button; with data-outbound-links too,
// a file on another host is one event, a download.
const files = browser({'data-site': 'shop.test', 'data-file-downloads': ''}, {});
files.flushTimers(); files.sent.length = 0;
const fileClick = (href, button) => files.docListeners[button ? 'auxclick' : 'click'].forEach((f) => f({target: link(href), button}));
fileClick('/files/report.PDF');
const fileSentAtOnce = files.sent.length;
fileClick('https://cdn.other.test/app.dmg?v=2');
fileClick('/pricing');
fileClick('https://other.test/');
fileClick('/?file=a.zip');
fileClick('/a.zip', 1);
fileClick('/b.zip', 2);
files.listeners.pagehide.forEach((f) => f());
const both = browser({'data-site': 'shop.test', 'data-file-downloads': '', 'data-outbound-links': ''}, {});
both.flushTimers(); both.sent.length = 0;
both.docListeners.click.forEach((f) => f({target: link('https://cdn.other.test/setup.exe')}));
both.docListeners.click.forEach((f) => f({target: link('https://other.test/')}));

console.log(JSON.stringify({sentBeforeHidden: beforeHidden, beacons: b.sent, gpcRespected: dnt.sent.length,
  gpcNotAsked: dntIgnored.sent.length, apiUrl: api.sent[0].url, outboundSentAtOnce: outboundSent,
  outbound: out.events(), plainListensForClicks: 'click' in plain.docListeners,
  props: props.events(), propWarnings: props.warnings,
  bigBeacons: big.sent.map((x) => JSON.stringify(x.body).length), bigEvents: big.events().length,
  spa: spa.events(), search: search.events(), app: app.events(), badScheme: badScheme.events(), hashSearch: hashSearch.events(), twice: twice.events(), noSite: {warnings: none.warnings, footfall: typeof none.w.footfall},
  hash: hash.events(), plainListensForHashchange: 'hashchange' in plain.listeners,
  manual: manual.events(), manualSentUnasked, manualWarnings: manual.warnings, extra: extra.events(),
  files: files.events(), fileSentAtOnce, both: both.events()}));
