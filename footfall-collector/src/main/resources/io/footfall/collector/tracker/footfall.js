/* footfall.js: page views (also single-page-app navigation) and custom events. No cookies, no storage.
   <script defer src="https://collector/footfall.js" data-site="example.com"></script>
   Optional: data-api="https://collector/v1/events", data-respect-dnt (honour Do Not Track / GPC),
   data-outbound-links (a click on a link to another host sends 'Outbound Link: Click' with props.url),
   data-file-downloads (a click on a link to a .pdf, .zip, ... file sends 'File Download' with props.url),
   data-hash (the fragment is part of the page: #/settings and #/billing are two pages),
   data-manual (no automatic page views: the site calls footfall('pageview') or footfall('pageview', {url: '/user/:id'})).
   Custom events: footfall('event', 'signup', {plan: 'pro'}). Docs: docs/collector.md */
(function (w, d, n) {
  var s = d.currentScript, site = s && s.getAttribute('data-site');
  function warn(m) { if (w.console) console.warn('footfall.js: ' + m); }
  if (!site) return warn('no data-site attribute: nothing is tracked');
  // Included twice (a tag manager and the page itself): the first one counts.
  if (w.footfall && w.footfall.ff) return;
  var api = s.getAttribute('data-api') || new URL(s.src, location.href).origin + '/v1/events';
  var dnt = s.hasAttribute('data-respect-dnt'), hash = s.hasAttribute('data-hash'), manual = s.hasAttribute('data-manual');
  // here: the address a manual view gave the page, carried by the events on it instead of location.href.
  var queue = [], timer = 0, due = 0, last = null, here, earlier = d.referrer;
  // A site that sends its own URLs hides its real ones: an earlier page of its own is named by its origin alone.
  if (manual && earlier.indexOf(location.origin + '/') == 0) earlier = location.origin + '/';

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
  // the page may change its object before it is sent. 6,000 characters of keys and values in all keep the event
  // under the collector's 32 KB with the longest url, referrer and title, even in 3-byte characters.
  function clean(props) {
    var out = {}, keys = Object.keys(props), c = 0, room = 6e3;
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i], v = props[k];
      if (v && v.toJSON) v = v.toJSON();
      if (typeof v == 'string') v = cut(v, 1024);
      if (k.length && k.length < 65 && c < 32 && (typeof v == 'string' || typeof v == 'boolean' || typeof v == 'number' && isFinite(v))
        && (room -= JSON.stringify(k + v).length) >= 0) out[k] = v, c++;
      else if (v !== undefined) warn('prop ' + k + ' left out');
    }
    return out;
  }

  function track(type, name, props) {
    if (dnt && (n.doNotTrack == '1' || w.doNotTrack == '1' || n.globalPrivacyControl)) return;
    if (due && type != 'pageview') page();
    var e = {site: site, type: type, url: cut(here || location.href, 4096), ts: Date.now(),
      screen: screen.width + 'x' + screen.height, language: n.language};
    if (w.crypto && crypto.randomUUID) e.event_id = crypto.randomUUID();
    try { e.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (x) {}
    // The collector refuses a referrer that is not http(s) or an app's android-app://...: the view is kept without it.
    if (d.title) e.title = cut(d.title, 1024);
    if (/^(https?|android-app):\/\/[^\/]/i.test(earlier) && earlier.length <= 4096) e.referrer = earlier;
    if (name) e.name = cut(name, 128);
    if (props && typeof props == 'object' && !Array.isArray(props)) e.props = clean(props);
    queue.push(JSON.stringify(e));
    if (!timer) timer = setTimeout(flush, 1000);
  }

  // A page view per URL, the fragment aside (a link to #section is not a new page) unless data-hash says it is one.
  // A view the site asks for by its own URL (u), or any in data-manual, is sent even when it repeats the last one.
  function page(u) {
    if (u && due) page(); // a navigation just before has its own view first
    clearTimeout(due);
    due = 0;
    var url = u || (hash ? location.href : location.href.split('#')[0]);
    if (url == last && !u && !manual) return;
    if (last) earlier = last;
    last = url;
    here = u;
    track('pageview');
  }

  // footfall('pageview', {url: '/user/:id'}): a relative address is read against the page's; only http(s) is sent.
  // Props without a url (an unset route template) send nothing rather than the page's real address.
  function view(props) {
    var u = props && props.url;
    if (props) {
      try { u = u && new URL(u, location.href); } catch (x) {}
      if (!/^https?:$/.test(u && u.protocol)) return warn('pageview url not http(s): ' + u);
      u = u.href;
    }
    page(u);
  }

  // A router sets the new page's title after it changes the URL: the view waits for that (or for the next event).
  function navigated() {
    clearTimeout(due);
    due = setTimeout(page, 0);
  }
  // The page's path (and fragment, with data-hash): what replaceState must change to be a navigation. A search box or
  // a filter writing its state to the query with replaceState on every keystroke is one page, not a view a keystroke.
  function path() { return location.pathname + (hash ? location.hash : ''); }
  if (!manual) {
    ['pushState', 'replaceState'].forEach(function (m) {
      var original = history[m];
      history[m] = function () {
        var p = path(), r = original.apply(this, arguments);
        if (m == 'pushState' || p != path()) navigated(); // the view is taken on a later turn, once the router has set the title
        return r;
      };
    });
    w.addEventListener('popstate', navigated);
    if (hash) w.addEventListener('hashchange', navigated);
  }
  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState == 'hidden') flush(); });

  var outbound = s.hasAttribute('data-outbound-links');
  var files = s.hasAttribute('data-file-downloads') && /\.(pdf|xlsx|docx|txt|rtf|csv|exe|key|pp[st]x?|7z|pkg|rar|gz|zip|avi|mov|mp[34]|mpeg|wm[av]|midi|wav|dmg|iso|msi|apk)$/i;
  // One click, one event: a file on another host is a download.
  function clicked(ev) {
    var a = !(ev.button > 1) && ev.target && ev.target.closest && ev.target.closest('a[href]');
    var name = a && /^https?:$/.test(a.protocol) && (files && files.test(a.pathname) ? 'File Download'
      : outbound && a.host != location.host && 'Outbound Link: Click');
    if (name) {
      track('event', name, {url: a.href});
      flush(); // the page is probably going away: a beacon outlives it
    }
  }
  if (outbound || files) {
    d.addEventListener('click', clicked, true);
    d.addEventListener('auxclick', clicked, true); // middle click (a new tab); not the right button's menu
  }

  var early = (w.footfall && w.footfall.q) || [];
  w.footfall = function (command, name, props) {
    if (command == 'event' && name) track('event', name, props);
    else if (command == 'pageview') view(name);
    else if (command == 'flush') flush();
  };
  w.footfall.ff = 1;
  if (!manual) page();
  for (var i = 0; i < early.length; i++) w.footfall.apply(w, early[i]);
})(window, document, navigator);
