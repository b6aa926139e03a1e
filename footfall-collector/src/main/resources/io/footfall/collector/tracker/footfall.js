/* footfall.js: page views (also single-page-app navigation) and custom events. No cookies, no storage.
   <script defer src="https://collector/footfall.js" data-site="example.com"></script>
   Optional: data-api="https://collector/v1/events", data-respect-dnt (honour Do Not Track / GPC),
   data-outbound-links (a click on a link to another host sends 'Outbound Link: Click' with props.url).
   Custom events: footfall('event', 'signup', {plan: 'pro'}). Docs: docs/collector.md */
(function (w, d, n) {
  var s = d.currentScript, site = s && s.getAttribute('data-site');
  function warn(m) { if (w.console) console.warn('footfall.js: ' + m); }
  if (!site) return warn('no data-site attribute: nothing is tracked');
  // Included twice (a tag manager and the page itself): the first one counts.
  if (w.footfall && w.footfall.ff) return;
  var api = s.getAttribute('data-api') || new URL(s.src, location.href).origin + '/v1/events';
  var dnt = s.hasAttribute('data-respect-dnt');
  var queue = [], timer = 0, due = 0, last = null, earlier = d.referrer;

  function optedOut() {
    return dnt && (n.doNotTrack == '1' || w.doNotTrack == '1' || n.globalPrivacyControl === true);
  }

  function send(body) {
    // sendBeacon posts text/plain: a simple request, no CORS preflight, survives page unload (up to 64 KB: 21,000
    // characters are at most 63,000 bytes of UTF-8). A larger body goes without keepalive, while the page lives.
    if (n.sendBeacon && n.sendBeacon(api, body)) return;
    if (w.fetch) fetch(api, {method: 'POST', body: body, keepalive: body.length < 21e3, credentials: 'omit',
      headers: {'Content-Type': 'text/plain'}}).catch(function () {});
  }

  function flush() {
    if (due) page();
    clearTimeout(timer);
    timer = 0;
    // At most 50 events (the collector takes 500) and 20,000 characters: under 64 KB in UTF-8, what a
    // beacon or a keepalive request may carry.
    while (queue.length) {
      var batch = [], size = 0;
      while (queue.length && batch.length < 50 && (!size || size + queue[0].length < 2e4)) size += (batch[batch.length] = queue.shift()).length;
      send('[' + batch + ']');
    }
  }

  // Text the collector takes: cut to its limit, without a broken surrogate pair at the end.
  function cut(t, max) { return String(t).slice(0, max).replace(/[\ud800-\udbff]$/, ''); }

  // What the collector takes of props (flat; string, number, boolean; 32 keys of 1-64 characters), copied now:
  // the page may change its object before it is sent.
  function clean(props) {
    var out = {}, keys = Object.keys(props), c = 0;
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i], v = props[k];
      if (v && v.toJSON) v = v.toJSON();
      if (typeof v == 'string') v = cut(v, 1024);
      if (k.length && k.length < 65 && c < 32 && (typeof v == 'string' || typeof v == 'boolean' || typeof v == 'number' && isFinite(v))) out[k] = v, c++;
      else if (v !== undefined) warn('prop ' + k + ' left out: a flat string, number or boolean is stored, 32 keys at most');
    }
    return out;
  }

  function track(type, name, props) {
    if (optedOut()) return;
    if (due && type != 'pageview') page();
    var e = {site: site, type: type, url: cut(location.href, 4096), ts: Date.now(),
      screen: screen.width + 'x' + screen.height, language: n.language};
    if (w.crypto && crypto.randomUUID) e.event_id = crypto.randomUUID();
    try { e.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (x) {}
    // The collector refuses a referrer that is not http(s) (an app's android-app://...): the view is kept without it.
    if (d.title) e.title = cut(d.title, 1024);
    if (/^https?:\/\/[^\/]/i.test(earlier) && earlier.length <= 4096) e.referrer = earlier;
    if (name) e.name = cut(name, 128);
    if (props && typeof props == 'object' && !Array.isArray(props)) e.props = clean(props);
    queue.push(JSON.stringify(e));
    if (!timer) timer = setTimeout(flush, 1000);
  }

  // A page view per URL, the fragment aside: a link to #section is not a new page.
  function page() {
    clearTimeout(due);
    due = 0;
    var url = location.href.split('#')[0];
    if (url == last) return;
    if (last) earlier = last;
    last = url;
    track('pageview');
  }

  // A router sets the new page's title after it changes the URL: the view waits for that (or for the next event).
  function navigated() {
    clearTimeout(due);
    due = setTimeout(page, 0);
  }
  ['pushState', 'replaceState'].forEach(function (m) {
    var original = history[m];
    history[m] = function () {
      var result = original.apply(this, arguments);
      navigated();
      return result;
    };
  });
  w.addEventListener('popstate', navigated);
  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState == 'hidden') flush(); });

  function outbound(ev) {
    var a = !(ev.button > 1) && ev.target && ev.target.closest && ev.target.closest('a[href]');
    if (a && /^https?:$/.test(a.protocol) && a.host != location.host) {
      track('event', 'Outbound Link: Click', {url: a.href});
      flush(); // the page is probably going away: a beacon outlives it
    }
  }
  if (s.hasAttribute('data-outbound-links')) {
    d.addEventListener('click', outbound, true);
    d.addEventListener('auxclick', outbound, true); // middle click (a new tab); not the right button's menu
  }

  var early = (w.footfall && w.footfall.q) || [];
  w.footfall = function (command, name, props) {
    if (command == 'event' && name) track('event', name, props);
    else if (command == 'pageview') page();
    else if (command == 'flush') flush();
  };
  w.footfall.ff = 1;
  page();
  for (var i = 0; i < early.length; i++) w.footfall.apply(w, early[i]);
})(window, document, navigator);
