/* Lead-generation first-party tracker. No cookies, no third parties; silent under DNT / GPC.
   <script src="https://YOUR-LEADGEN/static/tracker/t.js" data-endpoint="https://YOUR-LEADGEN/t/" defer></script>
   Named events: window.leadgen("event_name", "label"). Forms started, videos played and
   downloads are sent by themselves. */
(function (w, d, n) {
  var s = d.currentScript, e = (s && s.getAttribute("data-endpoint")) || "/t/";
  if (n.doNotTrack == "1" || w.doNotTrack == "1" || n.globalPrivacyControl) { w.leadgen = function () {}; return; }
  function id() {
    var a = new Uint8Array(8), t = "";
    (w.crypto || w.msCrypto).getRandomValues(a);
    for (var i = 0; i < 8; i++) t += (a[i] + 256).toString(16).slice(1);
    return t;
  }
  function send(ev, label) {
    var b = { u: location.href, r: d.referrer, e: ev || "", l: label ? String(label).slice(0, 200) : "", i: id() };
    if (!(n.sendBeacon && n.sendBeacon(e, JSON.stringify(b)))) {
      var q = [];
      for (var k in b) q.push(k + "=" + encodeURIComponent(b[k]));
      new Image().src = e + "?" + q.join("&");
    }
  }
  w.leadgen = send;
  send();
  d.addEventListener("focusin", function (x) {
    var f = x.target.form;
    if (f && !f.lgStarted) { f.lgStarted = 1; send("form_started", f.id || f.name || f.action); }
  });
  d.addEventListener("play", function (x) { send("video_played", x.target.currentSrc); }, true);
  d.addEventListener("click", function (x) {
    var a = x.target.closest && x.target.closest("a[href]");
    if (a && (a.hasAttribute("download") || /\.(pdf|zip|docx?|xlsx?|pptx?|csv|dmg|exe|msi|pkg)([?#]|$)/i.test(a.pathname)))
      send("download", a.pathname);
  });
})(window, document, navigator);
