/* Editors' page. Customer text is inserted with textContent only. Editors read Dutch names (from the desk:
   bot/labels.py and topics.yml); keys, files, lines and Rasa's component names appear only in elements of
   class "tech", shown with "Technische details tonen". */
(function () {
  "use strict";
  var $ = Staff.$, el = Staff.el, api = Staff.api, when = Staff.when;
  var targets = [], names = {}, trainTimer = null, reportTimer = null;
  var DETAILS_KEY = "balie.editor.details";

  // --- names and technical detail ----------------------------------------------------------------------
  function learn(more) { Object.keys(more || {}).forEach(function (k) { names[k] = more[k]; }); }
  function name(key) {
    if (!key) return "";
    return names[key] || names[key.replace(/^utter_/, "")] || key.replace(/^(utter_)?faq\//, "").replace(/_/g, " ");
  }
  function tech(text, tag) { return el(tag || "span", "tech", text); }
  function showDetails(on) {
    document.body.classList.toggle("show-details", on);
    $("details-toggle").checked = on;
    try { localStorage.setItem(DETAILS_KEY, on ? "1" : ""); } catch (e) { /* private mode: not kept */ }
  }
  $("details-toggle").addEventListener("change", function () { showDetails($("details-toggle").checked); });
  showDetails((function () { try { return localStorage.getItem(DETAILS_KEY) === "1"; } catch (e) { return false; } })());

  // An error from the desk: its sentence for everyone, the check's findings (file:line, codes) as details.
  function showError(box, e) {
    box.replaceChildren(document.createTextNode(e.message.split("\n")[0]));
    var findings = e.message.split("\n").slice(1);
    findings.forEach(function (f) {
      var m = /^(.*?:\d+): (fout|waarschuwing): (.*?)( \[([\w-]+)\])?$/.exec(f);
      var line = el("div");
      line.appendChild(document.createTextNode("• " + (m ? m[3] : f)));
      if (m) line.appendChild(tech(" (" + m[1] + (m[5] ? ", " + m[5] : "") + ")"));
      box.appendChild(line);
    });
  }
  function targetSelect(placeholder, except) {
    var select = el("select");
    select.appendChild(el("option", "", placeholder)); select.options[0].value = "";
    targets.filter(function (t) { return t !== except; })
      .map(function (t) { return [name(t), t]; })
      .sort(function (a, b) { return a[0].localeCompare(b[0], "nl"); })
      .forEach(function (pair) { var o = el("option", "", pair[0]); o.value = pair[1]; select.appendChild(o); });
    return select;
  }
  function status(parts) {  // the training line: plain text, then technical detail
    $("train-status").textContent = parts[0];
    $("train-detail").textContent = parts[1] || "";
  }

  // --- the inbox ---------------------------------------------------------------------------------------
  function inboxItem(g) {
    var li = el("li"); li.setAttribute("data-key", g.key);
    li.appendChild(el("span", "text", g.text));
    li.appendChild(el("span", "meta", g.count + "× · laatst " + when(g.last_seen) + (g.guess ? " · de bot dacht: " + name(g.guess) : "")));
    var fix = el("div", "fix");
    var example = el("input"); example.value = g.text; example.maxLength = 300; example.setAttribute("aria-label", "Voorbeeld");
    example.setAttribute("data-testid", "inbox-example");
    var select = targetSelect("Wat bedoelde de klant?"); select.setAttribute("data-testid", "inbox-target");
    select.setAttribute("aria-label", "Wat bedoelde de klant?");
    var add = el("button", "", "Toevoegen"); add.type = "button"; add.setAttribute("data-testid", "inbox-add");
    var dismiss = el("button", "secondary", "Negeren"); dismiss.type = "button"; dismiss.setAttribute("data-testid", "inbox-dismiss");
    var findings = el("div", "findings");
    add.addEventListener("click", function () {
      if (!select.value) { findings.textContent = "Kies eerst wat de klant bedoelde."; return; }
      var chosen = select.value;
      add.disabled = true; findings.textContent = "Controleren…";
      api("POST", "/api/editor/inbox/assign", { key: g.key, target: chosen, example: example.value })
        .then(function (r) {
          findings.textContent = "";
          status(["Toegevoegd aan “" + name(chosen) + "”. Train opnieuw om het te laten werken.", r.file + ", regel " + r.line]);
          $("train-detail").setAttribute("data-file", r.file); $("train-detail").setAttribute("data-line", r.line);
          return Promise.all([refresh(), loadHistory()]);
        })
        .catch(function (e) { showError(findings, e); add.disabled = false; });
    });
    dismiss.addEventListener("click", function () {
      api("POST", "/api/editor/inbox/dismiss", { key: g.key }).then(refresh).catch(function (e) { showError(findings, e); });
    });
    var topic = el("button", "secondary", "Nieuw onderwerp"); topic.type = "button"; topic.setAttribute("data-testid", "inbox-new-topic");
    topic.addEventListener("click", function () {
      $("topic-examples").value = example.value; $("topic-group").value = g.key;
      $("topic-result").textContent = "Vul de naam, meer voorbeeldvragen en het antwoord aan.";
      $("topic-label").focus();
    });
    fix.appendChild(example); fix.appendChild(select); fix.appendChild(add); fix.appendChild(topic); fix.appendChild(dismiss);
    li.appendChild(fix); li.appendChild(findings);
    return li;
  }
  function refresh() {
    return api("GET", "/api/editor/inbox").then(function (data) {
      targets = data.targets; learn(data.names);
      $("inbox").replaceChildren.apply($("inbox"), data.groups.map(inboxItem));
      $("inbox-count").textContent = data.groups.length;
      $("gate-thresholds").replaceChildren.apply($("gate-thresholds"), (data.thresholds || []).map(function (t) {
        var item = el("li", "", t.label + ": ");
        var value = el("strong", "", Math.round(t.value * 100) + " %");
        value.setAttribute("data-testid", "gate-" + t.name);
        item.appendChild(value);
        return item;
      }));
      return loadLog();
    });
  }

  // --- answers -----------------------------------------------------------------------------------------
  function answerItem(a) {
    var div = el("div", "answer"); div.setAttribute("data-answer", a.key);
    div.appendChild(el("strong", "", a.label));
    div.appendChild(tech("  " + a.key + " · " + a.file + ":" + a.line));
    var text = el("textarea"); text.value = a.text; text.maxLength = 1000; text.setAttribute("data-testid", "answer-text");
    text.setAttribute("aria-label", "Antwoord bij " + a.label);
    var save = el("button", "", "Opslaan"); save.type = "button"; save.setAttribute("data-testid", "answer-save");
    var result = el("div", "findings");
    save.addEventListener("click", function () {
      save.disabled = true; result.textContent = "Controleren…";
      api("PUT", "/api/editor/answers", { key: a.key, text: text.value })
        .then(function () { result.textContent = ""; status(["Antwoord bij “" + a.label + "” opgeslagen. Train opnieuw om het te laten werken."]); return Promise.all([loadLog(), loadHistory()]); })
        .catch(function (e) { showError(result, e); })
        .then(function () { save.disabled = false; });
    });
    div.appendChild(text); div.appendChild(save); div.appendChild(result);
    return div;
  }
  function loadAnswers() {
    return api("GET", "/api/editor/answers").then(function (data) {
      $("answers").replaceChildren.apply($("answers"), data.answers.map(answerItem));
    });
  }

  // --- topics ------------------------------------------------------------------------------------------
  function topicItem(t) {
    var li = el("li"); li.setAttribute("data-topic", t.key);
    li.appendChild(el("strong", "", t.label));
    li.appendChild(el("span", "meta", " · " + t.examples + " voorbeeldvragen"));
    li.appendChild(tech(" " + t.intent));
    var show = el("button", "link", "voorbeelden"); show.type = "button"; show.setAttribute("data-testid", "topic-examples-show");
    show.addEventListener("click", function () { showExamples(t.intent, t.label); });
    var rename = el("button", "link", "hernoemen"); rename.type = "button";
    rename.addEventListener("click", function () {
      var label = window.prompt("Nieuwe naam voor “" + t.label + "”", t.label);
      if (label) api("PUT", "/api/editor/topics/" + encodeURIComponent(t.key) + "/label", { label: label })
        .then(loadTopics).then(loadHistory).catch(function (e) { showError($("topic-result"), e); });
    });
    var retire = el("button", "link", "uit de training halen"); retire.type = "button"; retire.setAttribute("data-testid", "topic-retire");
    retire.addEventListener("click", function () {
      if (!window.confirm("Onderwerp “" + t.label + "” uit de training halen? Ongedaan maken kan in de geschiedenis.")) return;
      api("DELETE", "/api/editor/topics/" + encodeURIComponent(t.key)).then(loadTopics).then(loadHistory)
        .catch(function (e) { showError($("topic-result"), e); });
    });
    [show, rename, retire].forEach(function (b) { li.appendChild(document.createTextNode(" ")); li.appendChild(b); });
    return li;
  }
  function loadTopics() {
    return api("GET", "/api/editor/topics").then(function (data) {
      data.topics.forEach(function (t) { names[t.intent] = t.label; });
      $("topics").replaceChildren.apply($("topics"), data.topics.map(topicItem));
      $("topic-count").textContent = data.topics.length;
    });
  }
  // The key (faq/<key> in the data) is made from the name, unless the editor wrote one under details.
  var keyTouched = false;
  function keyOf(label) {
    var key = label.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").replace(/^[0-9_]+/, "").slice(0, 41).replace(/_+$/, "");
    return key.length >= 3 ? key : (key + "_onderwerp").slice(0, 41);
  }
  $("topic-label").addEventListener("input", function () { if (!keyTouched) $("topic-key").value = keyOf($("topic-label").value); });
  $("topic-key").addEventListener("input", function () { keyTouched = true; });
  $("topic-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("topic-result").textContent = "Controleren…";
    var label = $("topic-label").value.trim();
    var body = { key: ($("topic-key").value.trim() || keyOf(label)), label: label, answer: $("topic-answer").value,
                 examples: $("topic-examples").value.split("\n").filter(function (l) { return l.trim(); }) };
    if ($("topic-group").value) body.group = $("topic-group").value;
    api("POST", "/api/editor/topics", body).then(function (r) {
      $("topic-result").replaceChildren(document.createTextNode("Onderwerp “" + label + "” opgeslagen. Train opnieuw om het te laten werken."),
                                        tech(" " + r.topic + " in " + r.file + " (commit " + (r.commit || "").slice(0, 8) + ")"));
      ["topic-key", "topic-label", "topic-examples", "topic-answer", "topic-group"].forEach(function (id) { $(id).value = ""; });
      keyTouched = false;
      return Promise.all([loadTopics(), refresh(), loadHistory(), loadAnswers()]);
    }).catch(function (e) { showError($("topic-result"), e); });
  });

  // --- examples ----------------------------------------------------------------------------------------
  function exampleItem(x, target) {
    var li = el("li");
    li.appendChild(el("span", "text", x.plain));
    if (x.origin) li.appendChild(el("span", "meta", " · " + x.origin));
    li.appendChild(tech(" " + x.file + ":" + x.line));
    var move = targetSelect("verplaatsen naar…", target); move.setAttribute("aria-label", "Verplaatsen naar");
    move.addEventListener("change", function () {
      if (!move.value) return;
      api("POST", "/api/editor/examples/move", { file: x.file, line: x.line, text: x.text, target: move.value })
        .then(function () { return showExamples(target); }).then(loadHistory)
        .catch(function (e) { showError($("examples-result"), e); });
    });
    var remove = el("button", "link", "verwijderen"); remove.type = "button"; remove.setAttribute("data-testid", "example-delete");
    remove.addEventListener("click", function () {
      if (!window.confirm("Voorbeeld “" + x.plain + "” verwijderen? Ongedaan maken kan in de geschiedenis.")) return;
      api("POST", "/api/editor/examples/delete", { file: x.file, line: x.line, text: x.text })
        .then(function () { $("examples-result").textContent = "Verwijderd. Train opnieuw om het te laten werken."; return showExamples(target, null, true); })
        .then(loadHistory)
        .catch(function (e) { showError($("examples-result"), e); });
    });
    li.appendChild(move); li.appendChild(remove);
    return li;
  }
  function showExamples(target, label, keepResult) {
    return api("GET", "/api/editor/examples?target=" + encodeURIComponent(target)).then(function (data) {
      targets = data.targets; learn(data.names);
      $("examples-panel").hidden = false;
      $("examples-of").replaceChildren(document.createTextNode("“" + (label || name(target)) + "”"), tech(" " + target));
      $("examples").replaceChildren.apply($("examples"), data.examples.map(function (x) { return exampleItem(x, target); }));
      if (!keepResult) $("examples-result").textContent = "";
    });
  }

  // --- history and the log -----------------------------------------------------------------------------
  function loadHistory() {
    return api("GET", "/api/editor/history").then(function (data) {
      if (data.remote && data.branch) $("history-where").textContent = "Elke wijziging is een git-commit op naam van de redacteur en gaat naar " + data.remote + "/" + data.branch + ".";
      var items = data.changes.map(function (c) {
        var li = el("li", "", when(c.at) + " · " + c.author + " · " + c.message);
        li.setAttribute("data-commit", c.sha);
        li.appendChild(tech(" (" + c.short + ": " + c.files.join(", ") + ")"));
        if (c.reverted_by) li.appendChild(el("span", "meta", " · ongedaan gemaakt"));
        else {
          var undo = el("button", "link", "ongedaan maken"); undo.type = "button"; undo.setAttribute("data-testid", "history-undo");
          undo.addEventListener("click", function () {
            if (!window.confirm("“" + c.message + "” ongedaan maken?")) return;
            $("history-result").textContent = "Controleren…";
            api("POST", "/api/editor/history/" + c.sha + "/undo").then(function () {
              $("history-result").textContent = "Ongedaan gemaakt. Train opnieuw om het te laten werken.";
              return Promise.all([loadHistory(), loadTopics(), refresh(), loadAnswers()]);
            }).catch(function (e) { showError($("history-result"), e); });
          });
          li.appendChild(document.createTextNode(" ")); li.appendChild(undo);
        }
        return li;
      });
      $("history").replaceChildren.apply($("history"), items.length ? items : [el("li", "muted", "Nog geen wijzigingen van de redactie.")]);
    });
  }

  var KINDS = { example_added: "voorbeeld toegevoegd", answer_changed: "antwoord gewijzigd", dismissed: "genegeerd", retrain: "training",
                topic_added: "onderwerp toegevoegd", topic_renamed: "onderwerp hernoemd", topic_retired: "onderwerp uit de training",
                example_moved: "voorbeeld verplaatst", example_deleted: "voorbeeld verwijderd", undone: "ongedaan gemaakt",
                inbox_answered: "inbox bijgewerkt na de training" };
  var RESULTS = { done: "gelukt", failed: "niet gelukt", running: "bezig" };
  function what(e) {
    var d = e.detail || {};
    switch (e.kind) {
      case "example_added": return "“" + d.example + "” bij “" + name(d.intent) + "”";
      case "example_moved": return "“" + d.example + "” van “" + name(d.from) + "” naar “" + name(d.intent) + "”";
      case "example_deleted": return "“" + d.example + "” bij “" + name(d.intent) + "”";
      case "answer_changed": return "“" + name(d.key) + "”";
      case "retrain": return (RESULTS[d.status] || d.status) + (d.seconds ? " in " + Math.round(d.seconds) + " s" : "");
      case "inbox_answered": return d.count + (d.count === 1 ? " bericht" : " berichten") + " nu beantwoord door " +
        (d.topics || []).map(function (t) { return "“" + name(t) + "”"; }).join(", ");
      case "topic_renamed": return "“" + d.before + "” heet nu “" + d.after + "”";
      case "undone": return "een eerdere wijziging";
      default: return d.topic ? "“" + (d.label || name(d.topic)) + "”" : d.text || "";
    }
  }
  function loadLog() {
    return api("GET", "/api/editor/log").then(function (data) {
      learn(data.names);
      $("log").replaceChildren.apply($("log"), data.edits.map(function (e) {
        var li = el("li", "", when(e.at) + " · " + e.who + " · " + (KINDS[e.kind] || e.kind) + " · " + what(e));
        var d = e.detail || {};
        var detail = [e.file ? e.file + ":" + e.line : "", d.intent || d.topic || d.key || "", d.error || "", d.commit ? String(d.commit).slice(0, 8) : ""]
          .filter(Boolean).join(" · ");
        if (detail) li.appendChild(tech(" (" + detail + ")"));
        return li;
      }));
    });
  }

  // --- training ----------------------------------------------------------------------------------------
  function seconds(s) { return s >= 90 ? "ongeveer " + Math.round(s / 60) + " min" : s > 2 ? "ongeveer " + s + " s" : "een paar seconden"; }
  function showSteps(t) {
    var now = t.status === "running" ? parseInt(t.step, 10) : t.status === "done" ? 5 : 0;
    Array.prototype.forEach.call($("train-steps").children, function (li, i) {
      li.className = i + 1 === now ? "now" : i + 1 < now ? "past" : "";
    });
  }
  function showTraining(t) {
    var running = t.status === "running";
    $("train").disabled = running;
    $("train-bar").style.width = Math.round((t.progress || 0) * 100) + "%";
    showSteps(t);
    if (t.status === "idle") status([t.last_seconds ? "De vorige training duurde " + seconds(Math.round(t.last_seconds)) + "." : ""]);
    else if (running) status(["Stap " + t.step + ": " + t.stage + " · " + Math.round(t.progress * 100) + " %" +
                              (t.eta_seconds ? " · nog " + seconds(t.eta_seconds) : ""), t.detail || ""]);
    else if (t.status === "done") status([t.stage + " (in " + seconds(Math.round(t.seconds)) + ")."]);
    else status([t.stage + ".", t.error || ""]);
    if (running && !trainTimer) trainTimer = setInterval(pollTraining, 1500);
    if (!running && trainTimer) {
      clearInterval(trainTimer); trainTimer = null; refresh(); loadHistory();
      if (t.status === "done") loadBacktest();  // the new model is loaded: what does it change?
    }
  }
  function pollTraining() { return api("GET", "/api/editor/training").then(showTraining); }
  $("train").addEventListener("click", function () {
    $("train").disabled = true;
    api("POST", "/api/editor/training").then(showTraining).catch(function (e) { showError($("train-status"), e); $("train").disabled = false; });
  });

  function loadBacktest() {
    var since = $("backtest-since").value;
    $("backtest-run").disabled = true;
    $("backtest-summary").textContent = "Gesprekken opnieuw beoordelen…";
    return api("GET", "/api/editor/backtest?since=" + encodeURIComponent(since)).then(function (r) {
      $("backtest-summary").textContent = r.summary + (r.limited ? " (alleen de nieuwste gesprekken van de periode)" : "");
      $("backtest-rows").replaceChildren.apply($("backtest-rows"), r.changes.map(function (c) {
        var tr = el("tr", c.kind); tr.setAttribute("data-conversation", c.conversation_id);
        var started = new Date(c.started);
        [[started.toLocaleString("nl-NL", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" }), "started"],
         [c.before_label, "before"], [c.after_label + " · " + c.kind_label.toLowerCase(), "after"],
         [c.message, "message"], [c.evidence, "why"]].forEach(function (cell) { tr.appendChild(el("td", cell[1], cell[0])); });
        return tr;
      }));
      $("backtest-table").hidden = r.changes.length === 0;
    }).catch(function (e) { $("backtest-summary").textContent = e.message; })
      .then(function () { $("backtest-run").disabled = false; });
  }
  $("backtest-form").addEventListener("submit", function (event) { event.preventDefault(); loadBacktest(); });


  // --- how well the bot understands (the NLU report) ---------------------------------------------------
  function score(f1) { return Number(f1).toFixed(2).replace(".", ","); }
  function showReport(r) {
    learn(r.names);
    var box = $("nlu-report"); box.replaceChildren();
    var job = r.job || {}, making = job.status === "running";
    $("report-make").hidden = false; $("report-make").disabled = making;
    $("report-status").textContent = making ? "Er wordt een nieuw rapport gemaakt (een paar minuten). De bot blijft gewoon werken."
      : job.status === "failed" ? "Het nieuwe rapport is niet gelukt; het vorige blijft staan." : "";
    if (job.status === "failed") $("report-status").appendChild(tech(" " + (job.error || "")));
    if (making && !reportTimer) reportTimer = setInterval(loadReport, 5000);
    if (!making && reportTimer) { clearInterval(reportTimer); reportTimer = null; }
    if (!r.available) {
      box.appendChild(el("p", "muted", "Er is nog geen rapport. Maak er een met de knop hieronder; dat duurt een paar minuten."));
      return;
    }
    box.appendChild(el("p", "", "Gemaakt op " + when(r.finished.replace(" ", "T")) + ". Score voor wat klanten bedoelen: " +
      score(r.intents_weighted_f1) + (r.responses_weighted_f1 === undefined ? "" : "; voor het juiste antwoord op een veelgestelde vraag: " + score(r.responses_weighted_f1)) + "."));
    box.appendChild(tech("Kruisvalidatie in " + r.folds + " delen, gewogen F1.", "p"));
    var weak = el("ul");
    r.intents.concat(r.responses).filter(function (x) { return x.f1 < 0.8; }).forEach(function (x) {
      var li = el("li", "", name(x.label) + ": score " + score(x.f1) + " (" + x.support + " voorbeeldvragen)");
      li.appendChild(tech(" " + x.label)); weak.appendChild(li);
    });
    box.appendChild(el("h3", "", "Zwakke plekken (score onder 0,80)"));
    box.appendChild(weak.childNodes.length ? weak : el("p", "muted", "Geen."));
    box.appendChild(el("h3", "", "Vaakst verward"));
    var confused = el("ul");
    r.confused.forEach(function (c) {
      var li = el("li", "", "“" + name(c.expected) + "” aangezien voor “" + name(c.predicted) + "” (" + c.count + "×): ");
      li.appendChild(el("q", "", c.examples.join(" · ")));
      li.appendChild(tech(" " + c.expected + " → " + c.predicted));
      confused.appendChild(li);
    });
    box.appendChild(confused.childNodes.length ? confused : el("p", "muted", "Niets verward."));
    (r.pictures || []).forEach(function (picture) {  // matrices labelled with keys: technical detail
      fetch("/api/editor/nlu-report/" + encodeURIComponent(picture), { headers: { Authorization: "Bearer " + Staff.token() } })
        .then(function (res) { return res.ok ? res.blob() : null; })
        .then(function (blob) {
          if (!blob) return;
          var img = el("img", "tech"); img.alt = "Verwarringsmatrix"; img.style.maxWidth = "min(100%, 520px)";
          img.src = URL.createObjectURL(blob); box.appendChild(img);
        });
    });
  }
  function loadReport() {
    return api("GET", "/api/editor/nlu-report").then(showReport).catch(function (e) { $("nlu-report").replaceChildren(el("p", "muted", e.message)); });
  }
  $("report-make").addEventListener("click", function () {
    $("report-make").disabled = true;
    api("POST", "/api/editor/nlu-report").then(loadReport).catch(function (e) { showError($("report-status"), e); $("report-make").disabled = false; });
  });

  function start() {
    api("GET", "/api/agent/me").then(function (me) {
      if (me.role !== "editor" && me.role !== "admin") throw new Error("role");
      $("who").textContent = me.first_name;
      $("dashboard-link").hidden = me.role !== "admin";
      $("editor").hidden = false;
      return Promise.all([refresh(), pollTraining(), loadTopics(), loadHistory(), loadAnswers()]).then(loadReport);
    }).catch(function () { $("login-needed").hidden = false; $("editor").hidden = true; });
  }
  if (Staff.token()) start(); else Staff.signInHere();
})();
