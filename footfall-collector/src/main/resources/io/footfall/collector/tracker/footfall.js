/* footfall.js: page views (also single-page-app navigation) and custom events. No cookies, no storage.
   <script defer src="https://collector/footfall.js" data-site="example.com"></script>
   Optional: data-api="https://collector/v1/events", data-respect-dnt (honour Do Not Track / GPC),
   data-outbound-links (a click on a link to another host sends 'Outbound Link: Click' with props.url).
   Custom events: footfall('event', 'signup', {plan: 'pro'}) */
(function (w, d, n) {
  var s = d.currentScript, site = s && s.getAttribute('data-site');
  if (!site) return;
  var api = s.getAttribute('data-api') || new URL(s.src, location.href).origin + '/v1/events';
  var dnt = s.hasAttribute('data-respect-dnt');
  var queue = [], timer = 0, last = null, earlier = d.referrer;

  function optedOut() {
    return dnt && (n.doNotTrack == '1' || w.doNotTrack == '1' || n.globalPrivacyControl === true);
  }

  function send(body) {
    // sendBeacon posts text/plain: a simple request, no CORS preflight, survives page unload.
    if (n.sendBeacon && n.sendBeacon(api, body)) return;
    if (w.fetch) fetch(api, {method: 'POST', body: body, keepalive: true, credentials: 'omit',
      headers: {'Content-Type': 'text/plain'}}).catch(function () {});
  }

  function flush() {
    clearTimeout(timer);
    timer = 0;
    // 50 events stay far below sendBeacon's 64 KB and the collector's 500-event limit.
    while (queue.length) send(JSON.stringify(queue.splice(0, 50)));
  }

  function track(type, name, props) {
    if (optedOut()) return;
    var e = {site: site, type: type, url: location.href, ts: Date.now(),
      screen: screen.width + 'x' + screen.height, language: n.language};
    if (w.crypto && crypto.randomUUID) e.event_id = crypto.randomUUID();
    try { e.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (x) {}
    // The collector refuses a title over 1024 characters and a referrer that is not http(s) (an app's
    // android-app://...): send what it takes rather than lose the view.
    if (d.title) e.title = d.title.slice(0, 1024).replace(/[\ud800-\udbff]$/, '');
    var r = type == 'pageview' ? earlier : d.referrer;
    if (/^https?:\/\/[^\/]/i.test(r) && r.length <= 4096) e.referrer = r;
    if (name) e.name = String(name);
    if (props) e.props = props;
    queue.push(e);
    if (!timer) timer = setTimeout(flush, 1000);
  }

  function page() {
    var url = location.href;
    if (url == last) return;
    if (last) earlier = last;
    last = url;
    track('pageview');
  }

  ['pushState', 'replaceState'].forEach(function (m) {
    var original = history[m];
    history[m] = function () {
      var result = original.apply(this, arguments);
      page();
      return result;
    };
  });
  w.addEventListener('popstate', page);
  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState == 'hidden') flush(); });

  function outbound(ev) {
    var a = ev.target && ev.target.closest && ev.target.closest('a[href]');
    if (a && /^https?:$/.test(a.protocol) && a.host != location.host) {
      track('event', 'Outbound Link: Click', {url: a.href.slice(0, 1024)});
      flush(); // the page is probably going away: a beacon outlives it
    }
  }
  if (s.hasAttribute('data-outbound-links')) {
    d.addEventListener('click', outbound, true);
    d.addEventListener('auxclick', outbound, true); // middle click: a new tab
  }

  var early = (w.footfall && w.footfall.q) || [];
  w.footfall = function (command, name, props) {
    if (command == 'event' && name) track('event', name, props);
    else if (command == 'pageview') page();
    else if (command == 'flush') flush();
  };
  for (var i = 0; i < early.length; i++) w.footfall.apply(w, early[i]);
  page();
})(window, document, navigator);
