/* Editors' page. Customer text is inserted with textContent only. */
(function () {
  "use strict";
  var $ = Staff.$, el = Staff.el, api = Staff.api, when = Staff.when;
  var targets = [], trainTimer = null;

  function inboxItem(g) {
    var li = el("li"); li.setAttribute("data-key", g.key);
    li.appendChild(el("span", "text", g.text));
    li.appendChild(el("span", "meta", g.count + "× · laatst " + when(g.last_seen) + (g.guess ? " · bot dacht: " + g.guess : "")));
    var fix = el("div", "fix");
    var example = el("input"); example.value = g.text; example.maxLength = 300; example.setAttribute("aria-label", "Voorbeeld");
    example.setAttribute("data-testid", "inbox-example");
    var select = el("select"); select.setAttribute("data-testid", "inbox-target"); select.setAttribute("aria-label", "Intent of FAQ-vraag");
    select.appendChild(el("option", "", "Wat bedoelde de klant?"));
    select.options[0].value = "";
    targets.forEach(function (t) { var o = el("option", "", t); o.value = t; select.appendChild(o); });
    var add = el("button", "", "Toevoegen"); add.type = "button"; add.setAttribute("data-testid", "inbox-add");
    var dismiss = el("button", "secondary", "Negeren"); dismiss.type = "button"; dismiss.setAttribute("data-testid", "inbox-dismiss");
    var findings = el("div", "findings");
    add.addEventListener("click", function () {
      if (!select.value) { findings.textContent = "Kies eerst een intent of FAQ-vraag."; return; }
      add.disabled = true; findings.textContent = "Controleren…";
      api("POST", "/api/editor/inbox/assign", { key: g.key, target: select.value, example: example.value })
        .then(function (r) { findings.textContent = ""; $("train-status").textContent = "Toegevoegd aan " + r.file + " (regel " + r.line + "). Train opnieuw om het te laten werken."; return refresh(); })
        .catch(function (e) { findings.textContent = e.message; add.disabled = false; });
    });
    dismiss.addEventListener("click", function () {
      api("POST", "/api/editor/inbox/dismiss", { key: g.key }).then(refresh).catch(function (e) { findings.textContent = e.message; });
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

  function answerItem(a) {
    var div = el("div", "answer"); div.setAttribute("data-answer", a.key);
    div.appendChild(el("strong", "", a.key.replace("utter_faq/", "")));
    div.appendChild(el("span", "where", "  " + a.file + ":" + a.line));
    var text = el("textarea"); text.value = a.text; text.maxLength = 1000; text.setAttribute("data-testid", "answer-text");
    var save = el("button", "", "Opslaan"); save.type = "button"; save.setAttribute("data-testid", "answer-save");
    var result = el("div", "findings");
    save.addEventListener("click", function () {
      save.disabled = true; result.textContent = "Controleren…";
      api("PUT", "/api/editor/answers", { key: a.key, text: text.value })
        .then(function () { result.textContent = ""; $("train-status").textContent = "Antwoord opgeslagen. Train opnieuw om het te laten werken."; return loadLog(); })
        .catch(function (e) { result.textContent = e.message; })
        .then(function () { save.disabled = false; });
    });
    div.appendChild(text); div.appendChild(save); div.appendChild(result);
    return div;
  }

  function topicItem(t) {
    var li = el("li"); li.setAttribute("data-topic", t.key);
    li.appendChild(el("strong", "", t.label));
    li.appendChild(el("span", "meta", " " + t.intent + " · " + t.examples + " voorbeelden"));
    var show = el("button", "link", "voorbeelden"); show.type = "button"; show.setAttribute("data-testid", "topic-examples-show");
    show.addEventListener("click", function () { showExamples(t.intent, t.label); });
    var rename = el("button", "link", "hernoemen"); rename.type = "button";
    rename.addEventListener("click", function () {
      var label = window.prompt("Nieuwe naam voor " + t.intent, t.label);
      if (label) api("PUT", "/api/editor/topics/" + encodeURIComponent(t.key) + "/label", { label: label })
        .then(loadTopics).then(loadHistory).catch(function (e) { $("topic-result").textContent = e.message; });
    });
    var retire = el("button", "link", "uit de training halen"); retire.type = "button"; retire.setAttribute("data-testid", "topic-retire");
    retire.addEventListener("click", function () {
      if (!window.confirm("Onderwerp " + t.label + " uit de training halen? Ongedaan maken kan in de geschiedenis.")) return;
      api("DELETE", "/api/editor/topics/" + encodeURIComponent(t.key)).then(loadTopics).then(loadHistory)
        .catch(function (e) { $("topic-result").textContent = e.message; });
    });
    [show, rename, retire].forEach(function (b) { li.appendChild(document.createTextNode(" ")); li.appendChild(b); });
    return li;
  }
  function loadTopics() {
    return api("GET", "/api/editor/topics").then(function (data) {
      $("topics").replaceChildren.apply($("topics"), data.topics.map(topicItem));
      $("topic-count").textContent = data.topics.length;
    });
  }
  $("topic-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("topic-result").textContent = "Controleren…";
    var body = { key: $("topic-key").value.trim(), label: $("topic-label").value, answer: $("topic-answer").value,
                 examples: $("topic-examples").value.split("\n").filter(function (l) { return l.trim(); }) };
    if ($("topic-group").value) body.group = $("topic-group").value;
    api("POST", "/api/editor/topics", body).then(function (r) {
      $("topic-result").textContent = "Opgeslagen als " + r.topic + " in " + r.file + " (commit " + (r.commit || "").slice(0, 8) + "). Train opnieuw om het te laten werken.";
      ["topic-key", "topic-label", "topic-examples", "topic-answer", "topic-group"].forEach(function (id) { $(id).value = ""; });
      return Promise.all([loadTopics(), refresh(), loadHistory()]);
    }).catch(function (e) { $("topic-result").textContent = e.message; });
  });

  function exampleItem(x, target) {
    var li = el("li");
    li.appendChild(el("span", "text", x.plain));
    li.appendChild(el("span", "meta", " " + x.file + ":" + x.line + (x.origin ? " · " + x.origin : "")));
    var move = el("select"); move.setAttribute("aria-label", "Verplaatsen naar");
    move.appendChild(el("option", "", "verplaatsen naar…")); move.options[0].value = "";
    targets.filter(function (t) { return t !== target; }).forEach(function (t) { var o = el("option", "", t); o.value = t; move.appendChild(o); });
    move.addEventListener("change", function () {
      if (!move.value) return;
      api("POST", "/api/editor/examples/move", { file: x.file, line: x.line, text: x.text, target: move.value })
        .then(function () { return showExamples(target); }).then(loadHistory)
        .catch(function (e) { $("examples-result").textContent = e.message; });
    });
    var remove = el("button", "link", "verwijderen"); remove.type = "button";
    remove.addEventListener("click", function () {
      api("POST", "/api/editor/examples/delete", { file: x.file, line: x.line, text: x.text })
        .then(function () { return showExamples(target); }).then(loadHistory)
        .catch(function (e) { $("examples-result").textContent = e.message; });
    });
    li.appendChild(move); li.appendChild(remove);
    return li;
  }
  function showExamples(target, label) {
    return api("GET", "/api/editor/examples?target=" + encodeURIComponent(target)).then(function (data) {
      targets = data.targets;
      $("examples-panel").hidden = false;
      if (label) $("examples-of").textContent = label + " (" + target + ")";
      $("examples").replaceChildren.apply($("examples"), data.examples.map(function (x) { return exampleItem(x, target); }));
      $("examples-result").textContent = "";
    });
  }

  function loadHistory() {
    return api("GET", "/api/editor/history").then(function (data) {
      if (data.remote && data.branch) $("history-where").textContent = "Elke wijziging is een git-commit op jouw naam en gaat naar " + data.remote + "/" + data.branch + ".";
      $("history").replaceChildren.apply($("history"), data.changes.map(function (c) {
        var li = el("li", "", when(c.at) + " · " + c.author + " · " + c.message + " (" + c.short + ")");
        li.setAttribute("data-commit", c.sha);
        if (c.reverted_by) li.appendChild(el("span", "meta", " · ongedaan gemaakt"));
        else if (c.message.indexOf("Balie: begin") !== 0) {
          var undo = el("button", "link", "ongedaan maken"); undo.type = "button"; undo.setAttribute("data-testid", "history-undo");
          undo.addEventListener("click", function () {
            $("history-result").textContent = "Controleren…";
            api("POST", "/api/editor/history/" + c.sha + "/undo").then(function () {
              $("history-result").textContent = "Ongedaan gemaakt. Train opnieuw om het te laten werken.";
              return Promise.all([loadHistory(), loadTopics(), refresh()]);
            }).catch(function (e) { $("history-result").textContent = e.message; });
          });
          li.appendChild(document.createTextNode(" ")); li.appendChild(undo);
        }
        return li;
      }));
    });
  }

  var KINDS = { example_added: "voorbeeld toegevoegd", answer_changed: "antwoord gewijzigd", dismissed: "genegeerd", retrain: "training",
                topic_added: "onderwerp toegevoegd", topic_renamed: "onderwerp hernoemd", topic_retired: "onderwerp uit de training",
                example_moved: "voorbeeld verplaatst", example_deleted: "voorbeeld verwijderd", undone: "ongedaan gemaakt" };
  function loadLog() {
    return api("GET", "/api/editor/log").then(function (data) {
      $("log").replaceChildren.apply($("log"), data.edits.map(function (e) {
        var d = e.detail || {};
        var what = e.kind === "example_added" || e.kind === "example_moved" ? "“" + d.example + "” → " + d.intent
          : e.kind === "example_deleted" ? "“" + d.example + "” bij " + d.intent
          : e.kind === "answer_changed" ? d.key : e.kind === "retrain" ? d.status + (d.seconds ? " in " + d.seconds + " s" : "")
          : d.topic ? d.topic + (d.label ? " (" + d.label + ")" : "") : d.text || "";
        return el("li", "", when(e.at) + " · " + e.editor + " · " + (KINDS[e.kind] || e.kind) + " · " + what + (e.file ? " (" + e.file + ":" + e.line + ")" : ""));
      }));
    });
  }
  function refresh() {
    return api("GET", "/api/editor/inbox").then(function (data) {
      targets = data.targets;
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
  function showTraining(t) {
    var running = t.status === "running";
    $("train").disabled = running;
    $("train-bar").style.width = Math.round((t.progress || 0) * 100) + "%";
    $("train-status").textContent = t.status === "idle" ? (t.last_seconds ? "De vorige training duurde " + Math.round(t.last_seconds) + " s." : "")
      : running ? "Stap " + t.step + " · " + t.stage + " · " + Math.round(t.progress * 100) + " %" +
        (t.eta_seconds ? " · nog ongeveer " + (t.eta_seconds >= 90 ? Math.round(t.eta_seconds / 60) + " min" : t.eta_seconds + " s") : "")
      : t.status === "done" ? t.stage + " (" + t.seconds + " s)." : t.stage + ": " + (t.error || "");
    if (running && !trainTimer) trainTimer = setInterval(pollTraining, 1500);
    if (!running && trainTimer) { clearInterval(trainTimer); trainTimer = null; loadLog(); loadHistory(); }
  }
  function pollTraining() { return api("GET", "/api/editor/training").then(showTraining); }
  $("train").addEventListener("click", function () {
    $("train").disabled = true;
    api("POST", "/api/editor/training").then(showTraining).catch(function (e) { $("train-status").textContent = e.message; $("train").disabled = false; });
  });

  function loadReport() {
    return api("GET", "/api/editor/nlu-report").then(function (r) {
      var box = $("nlu-report"); box.replaceChildren();
      box.appendChild(el("p", "muted", "Kruisvalidatie (" + r.folds + " delen) van " + r.finished + ". Gewogen F1: intents " +
        r.intents_weighted_f1 + ", FAQ-antwoorden " + (r.responses_weighted_f1 === undefined ? "–" : r.responses_weighted_f1) + "."));
      var weak = el("ul");
      r.intents.concat(r.responses).filter(function (x) { return x.f1 < 0.8; }).forEach(function (x) {
        weak.appendChild(el("li", "", x.label + ": F1 " + x.f1.toFixed(2) + " (" + x.support + " voorbeelden)"));
      });
      box.appendChild(el("h3", "", "Zwakke plekken (F1 onder 0,80)"));
      box.appendChild(weak.childNodes.length ? weak : el("p", "muted", "Geen."));
      box.appendChild(el("h3", "", "Vaakst verward"));
      var confused = el("ul");
      r.confused.forEach(function (c) {
        var li = el("li", "", c.expected + " → " + c.predicted + " (" + c.count + "×): ");
        li.appendChild(el("q", "", c.examples.join(" · ")));
        confused.appendChild(li);
      });
      box.appendChild(confused.childNodes.length ? confused : el("p", "muted", "Niets verward."));
      (r.pictures || []).forEach(function (name) {
        fetch("/api/editor/nlu-report/" + encodeURIComponent(name), { headers: { Authorization: "Bearer " + Staff.token() } })
          .then(function (res) { return res.ok ? res.blob() : null; })
          .then(function (blob) { if (!blob) return; var img = el("img"); img.alt = "Verwarringsmatrix"; img.style.maxWidth = "min(100%, 520px)"; img.src = URL.createObjectURL(blob); box.appendChild(img); });
      });
    }).catch(function (e) { $("nlu-report").replaceChildren(el("p", "muted", e.message)); });
  }

  function start() {
    api("GET", "/api/agent/me").then(function (me) {
      if (me.role !== "editor" && me.role !== "admin") throw new Error("role");
      $("who").textContent = me.first_name + " (" + me.role + ")";
      $("dashboard-link").hidden = me.role !== "admin";
      $("editor").hidden = false;
      loadReport();
      return Promise.all([refresh(), pollTraining(), loadTopics(), loadHistory(), api("GET", "/api/editor/answers").then(function (data) {
        $("answers").replaceChildren.apply($("answers"), data.answers.map(answerItem));
      })]);
    }).catch(function () { $("login-needed").hidden = false; $("editor").hidden = true; });
  }
  if (Staff.token()) start(); else $("login-needed").hidden = false;
})();
