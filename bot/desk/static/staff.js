/* What the staff pages (console, editors' page, dashboard) have in common: the sign-in token, calls to the
   desk API with clear Dutch errors, small DOM helpers, and the Dutch labels, which come from the desk
   (bot/labels.py) so that every page names reasons, signals and topics the same way. */
window.Staff = (function () {
  "use strict";
  var TOKEN_KEY = "balie.agent.token";
  var labels = null, labelsLoading = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function setToken(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
  }
  function detailText(detail, status) {
    if (typeof detail === "string") return detail;
    if (detail && detail.message) return detail.message + (detail.findings ? "\n" + detail.findings.join("\n") : "");
    return "Er ging iets mis" + (status ? " (" + status + ")" : "") + ".";
  }

  var api = function (method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + (token() || "") },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.ok && path.indexOf(".csv") > 0) return r.text();
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401 && path !== "/api/agent/login" && api.onSignedOut) api.onSignedOut();
        if (!r.ok) { var e = new Error(detailText(data.detail, r.status)); e.status = r.status; throw e; }
        return data;
      });
    });
  };
  api.onSignedOut = null;  // a page sets this to show its sign-in

  function loadLabels() {
    if (labels) return Promise.resolve(labels);
    if (!labelsLoading) labelsLoading = api("GET", "/api/labels").then(function (l) { labels = l; return l; });
    return labelsLoading;
  }
  function label(kind, key) { return (labels && labels[kind] && labels[kind][key]) || key; }

  function when(iso) {
    return new Date(iso).toLocaleString("nl-NL", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }
  function clock(iso) { return new Date(iso).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" }); }

  // Signing in from a direct link: the page sends you to the console's sign-in with ?next=<the page>, and
  // the console sends you back there afterwards. Only the desk's own staff pages are a place to go back to.
  var RETURN_PAGES = ["/editor", "/dashboard"];
  function signInHere() {
    location.replace("/console?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
  }
  function returnTo(search) {
    var next = new URLSearchParams(search || location.search).get("next") || "";
    var path = next.split(/[?#]/)[0];
    return RETURN_PAGES.indexOf(path) >= 0 ? next : null;  // "/dashboard?x#y" yes; "//evil", "https://…" no
  }

  return { $: $, el: el, token: token, setToken: setToken, api: api, loadLabels: loadLabels, label: label,
           when: when, clock: clock, signInHere: signInHere, returnTo: returnTo };
})();
