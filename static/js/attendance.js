/* Check-in page: progressive enhancement only (the buttons also work as plain form posts).
   - ticks the server clock in the unit's time zone (the server's time, not the device's);
   - on a tap, asks the browser for its location (with accuracy) if the user allows it, then
     posts the form with fetch (CSRF token from the form's hidden input) and swaps in the
     server-rendered panel; without a location the punch is still recorded. No inline code. */
(function () {
  "use strict";

  var GEO_OPTIONS = { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 };
  var PROMPT_PATIENCE_MS = 15000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function initClock() {
    var clock = document.getElementById("server-clock");
    if (!clock) { return; }
    var skew = Number(clock.getAttribute("data-epoch-ms")) - Date.now();
    var offset = Number(clock.getAttribute("data-offset-minutes")) * 60000;
    function tick() {
      var local = new Date(Date.now() + skew + offset);  // read with UTC getters = unit local time
      clock.textContent = pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes()) + ":" +
        pad(local.getUTCSeconds());
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function setStatus(panel, text) {
    var status = panel.querySelector("[data-location-status]");
    if (status && text) { status.textContent = text; }
  }

  function locate(done) {
    if (!navigator.geolocation) { done(null); return; }
    // The API's own timeout only starts once permission is granted: an unanswered prompt
    // must not hold the punch forever, so give up on the location after a while.
    var finished = false;
    function once(coords) {
      if (finished) { return; }
      finished = true;
      window.clearTimeout(timer);
      done(coords);
    }
    var timer = window.setTimeout(function () { once(null); }, PROMPT_PATIENCE_MS);
    navigator.geolocation.getCurrentPosition(function (position) { once(position.coords); },
      function () { once(null); }, GEO_OPTIONS);
  }

  function fill(form, coords) {
    if (!coords) { return; }
    form.elements.latitude.value = coords.latitude;
    form.elements.longitude.value = coords.longitude;
    form.elements.accuracy.value = coords.accuracy;
  }

  function send(form, panel) {
    var token = form.querySelector("input[name='csrfmiddlewaretoken']").value;
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 400) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;  // our own server-rendered, escaped fragment; its notice is a live region
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-punch-form]")) { return; }
    var panel = document.getElementById("presence-panel");
    if (!panel || !window.fetch || !window.FormData) { return; }  // plain post
    event.preventDefault();
    var buttons = panel.querySelectorAll("[data-punch-form] button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });  // one tap, one request
    setStatus(panel, panel.getAttribute("data-locating-text"));
    locate(function (coords) {
      fill(form, coords);
      setStatus(panel, panel.getAttribute(coords ? "data-sending-text" : "data-no-location-text"));
      send(form, panel).catch(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        setStatus(panel, panel.getAttribute("data-error-text"));
      });
    });
  }

  function init() {
    initClock();
    var panel = document.getElementById("presence-panel");
    if (panel) { panel.addEventListener("submit", onSubmit); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
