/* Team leads' dashboard: the same figures as `bot report`. All text set with textContent. */
(function () {
  "use strict";
  var $ = Staff.$, el = Staff.el;
  function api(path) { return Staff.api("GET", path); }
  function pct(v) { return v === null || v === undefined ? "–" : Math.round(v * 100) + " %"; }
  function num(v, unit) { return v === null || v === undefined ? "–" : String(v).replace(".", ",") + (unit || ""); }
  function chart(target, items, labels) {
    var keys = Object.keys(items), top = Math.max.apply(null, keys.map(function (k) { return items[k]; }).concat([1]));
    if (!keys.length) { $(target).replaceChildren(el("p", "muted", "Nog geen gegevens in deze periode.")); return; }
    $(target).replaceChildren.apply($(target), keys.map(function (k) {
      var row = el("div", "row"); row.setAttribute("data-key", k);
      row.appendChild(el("span", "", (labels && labels[k]) || k));
      var bar = el("div", "bar"); bar.style.width = Math.max(1, Math.round(100 * items[k] / top)) + "%";
      row.appendChild(bar); row.appendChild(el("span", "value", String(items[k])));
      return row;
    }));
  }
  function tile(label, value, id) { var t = el("div", "tile"); var b = el("b", "", value); b.setAttribute("data-testid", id); t.appendChild(b); t.appendChild(document.createTextNode(label)); return t; }
  function show(r) {
    $("tiles").replaceChildren(
      tile("Gesprekken", String(r.conversations), "tile-conversations"),
      tile("Zonder medewerker afgehandeld", pct(r.containment), "tile-containment"),
      tile("Overgedragen", String(r.handoffs), "tile-handoffs"),
      tile("Mediane wachttijd", num(r.median_wait_minutes, " min"), "tile-wait"),
      tile("Mediane behandeltijd", num(r.median_handling_minutes, " min"), "tile-handling"),
      tile("Tevredenheid (1–5)", num(r.mean_score), "tile-score"),
      tile("Opgelost volgens klant", r.solved_yes + " ja / " + r.solved_no + " nee", "tile-solved"),
      tile("Terugbelafspraken op tijd", r.callbacks_on_time + " van " + r.callbacks_due, "tile-callbacks"));
    $("spikes").replaceChildren.apply($("spikes"), (r.spikes.length ? r.spikes : ["Geen opvallende stijgingen."]).map(function (s) { return el("li", "", s); }));
    chart("per-day", r.per_day, r.day_labels); chart("topics", r.topics, r.topic_labels); chart("reasons", r.handoff_reasons, labels.reasons);
    var stars = {}; ["1", "2", "3", "4", "5"].forEach(function (n) { stars[n] = "★★★★★".slice(0, Number(n)); });
    chart("scores", r.scores, stars);
    var rows = r.misunderstood.map(function (m) { var tr = el("tr"); tr.appendChild(el("td", "", m.text)); tr.appendChild(el("td", "", String(m.count))); return tr; });
    $("misunderstood").replaceChildren.apply($("misunderstood"), rows.length ? rows : [el("tr", "", "Niets: de bot begreep alles.")]);
  }
  function load() { return api("/api/reports?since=" + $("since").value).then(show); }
  $("since").addEventListener("change", load);
  $("csv").addEventListener("click", function () {
    api("/api/reports.csv?since=" + $("since").value).then(function (text) {
      var a = el("a"); a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
      a.download = "balie-" + $("since").value + ".csv"; document.body.appendChild(a); a.click(); a.remove();
    });
  });
  var labels = {};
  if (!Staff.token()) { Staff.signInHere(); return; }
  Staff.loadLabels().then(function (l) { labels = l; return load(); })
    .then(function () { $("dashboard").hidden = false; }).catch(function () { $("login-needed").hidden = false; });
})();
