/* Agent console. All customer-provided text is inserted with textContent.
   Live updates are incremental: a new message is appended to the open transcript (by sequence number,
   each once), a queue change reloads only the lists, and after a reconnect or a heartbeat that is ahead
   the console fetches only the messages it missed (push.js: BaliePush, shared with the widget). */
(function () {
  "use strict";
  var $ = Staff.$, el = Staff.el, api = Staff.api, label = Staff.label, T = BaliePush.TYPES;
  var me = null, current = null, currentCallback = null, callbackTimer = null, knownQueue = {};
  var shownSeq = 0, queueStamp = null, listTimer = null;
  var CHANNEL = { phone: "Bellen", email: "Mailen" };
  var canned = [];

  api.onSignedOut = function () { showLogin(); };

  function showLogin() {
    Staff.setToken(null);
    push.stop();
    $("desk").hidden = true; $("login").hidden = false;
  }

  function start() {
    Staff.loadLabels().then(function () { return api("GET", "/api/agent/me"); }).then(function (agent) {
      me = agent;
      $("me-name").textContent = agent.first_name;
      $("status").value = agent.status;
      showPresence(agent.presence_notice);
      $("login").hidden = true; $("desk").hidden = false;
      refresh(); push.connect(); loadCanned(); loadColleagues(); loadCallbacks();
      $("canned-admin").hidden = agent.role !== "admin";
      $("editor-link").hidden = agent.role !== "editor" && agent.role !== "admin";
      $("dashboard-link").hidden = agent.role !== "admin";
      $("privacy-admin").hidden = agent.role !== "admin";
      $("access-admin").hidden = agent.role !== "admin";
      if (agent.role === "admin") { loadPrivacyAudit(); loadAccess(); }
      if (window.Notification && Notification.permission === "default") { Notification.requestPermission(); }
      if (!callbackTimer) callbackTimer = setInterval(function () { if (Staff.token()) loadCallbacks(); }, 60000);  // overdue ones turn red
    }).catch(function () { showLogin(); });
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    $("login-error").textContent = "";
    api("POST", "/api/agent/login", { username: form.username.value, password: form.password.value })
      .then(function (data) {
        Staff.setToken(data.token); form.password.value = "";
        $("login-notice").textContent = data.notice || ""; $("login-notice").hidden = !data.notice;  // tried by others?
        var back = Staff.returnTo();  // came from a direct link to the editors' page or the dashboard
        if (back && !data.notice) { location.assign(back); return; }
        start();
      })
      .catch(function (e) { $("login-error").textContent = e.message; });
  });

  // What the desk did while her console was gone (she went away, her chats went back to the queue).
  function showPresence(notice) {
    $("presence-notice").hidden = !notice;
    if (!notice) return;
    var at = new Date(notice.at);
    $("presence-text").textContent = notice.text + (isNaN(at) ? "" : " (om " + at.toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" }) + ")");
  }
  $("presence-read").addEventListener("click", function () {
    api("POST", "/api/agent/presence-notice/read").then(function (agent) { me = agent; showPresence(null); })
      .catch(function (e) { $("action-error").textContent = e.message; });
  });

  $("status").addEventListener("change", function (event) {
    $("action-error").textContent = "";
    api("POST", "/api/agent/status", { status: event.target.value })
      .then(function (agent) { me = agent; showPresence(agent.presence_notice); return refresh(); })
      .catch(function (e) { $("action-error").textContent = e.message; });
  });

  function notify(title, body) {
    // A short tone and, where the browser allows, a desktop notification.
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880; tone.connect(audio.destination); tone.start(); tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no audio: the title still changes */ }
    if (window.Notification && Notification.permission === "granted") { new Notification(title, { body: body }); }
  }

  $("logout").addEventListener("click", function () { api("POST", "/api/agent/logout").finally(showLogin); });

  function item(h) {
    var li = el("li", h.priority);
    li.setAttribute("data-handoff", h.id);
    if (current && current.id === h.id) li.classList.add("active");
    li.appendChild(el("strong", "", label("reasons", h.reason)));
    li.setAttribute("data-reason", h.reason);
    li.appendChild(el("small", "", label("priorities", h.priority) + " · wacht sinds " + Staff.clock(h.waiting_since)));
    li.appendChild(el("small", "", h.summary));
    li.addEventListener("click", function () { open(h.id); });
    return li;
  }

  function refresh() {
    // The lists only; the open conversation keeps its transcript.
    return api("GET", "/api/handoffs").then(function (data) {
      var fresh = data.queue.filter(function (h) { return !knownQueue[h.id]; });
      var first = !Object.keys(knownQueue).length && !$("queue").childNodes.length;
      knownQueue = {};
      data.queue.forEach(function (h) { knownQueue[h.id] = true; });
      $("queue").replaceChildren.apply($("queue"), data.queue.map(item));
      $("mine").replaceChildren.apply($("mine"), data.mine.map(item));
      $("review").replaceChildren.apply($("review"), (data.review || []).map(item));
      $("queue-count").textContent = data.queue.length;
      document.title = (data.queue.length ? "(" + data.queue.length + ") " : "") + "Balie · Medewerkersconsole";
      if (fresh.length && !first) { notify("Nieuwe klant in de wachtrij", label("reasons", fresh[0].reason)); }
      if (current) {
        var all = data.queue.concat(data.mine, data.review || []);
        var mine = all.filter(function (h) { return h.id === current.id; })[0];
        if (mine) { follow(mine); }
        else {  // resolved, handed back or with a colleague now: no longer in her lists, but still open on screen
          var id = current.id;
          api("GET", "/api/handoffs/" + id + "/messages?after=" + shownSeq).then(function (d) {
            if (!current || current.id !== id) return;
            d.messages.forEach(append);
            follow(d);
          }).catch(function () {});
        }
      }
    });
  }
  function refreshSoon() {
    // Many changes at once (a busy hour) cost one reload of the lists, not one each.
    if (listTimer) return;
    listTimer = setTimeout(function () { listTimer = null; refresh(); }, 150);
  }

  function line(m) {
    var div = el("div", "line " + m.sender);
    if (m.seq) div.setAttribute("data-seq", m.seq);
    div.appendChild(el("time", "", Staff.clock(m.at)));
    var who = m.sender === "agent" && m.agent_name ? m.agent_name
      : m.sender === "note" ? "Notitie van " + (m.agent_name || "collega") : label("senders", m.sender);
    div.appendChild(el("span", "who", who));
    div.appendChild(document.createTextNode(m.text));
    return div;
  }

  function factValue(key, value) {
    if (key === "order_status" && value && typeof value === "object") return value.summary || "";
    if (value === true) return "ja";
    if (value === false) return "nee";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function fillContext(prefix, ctx) {
    var signals = (ctx.signals || []).map(function (s) {
      var li = el("li"); li.appendChild(el("strong", "", label("signals", s.name) + (s.evidence ? ": " : "")));
      if (s.evidence) li.appendChild(document.createTextNode("“" + s.evidence + "”"));
      return li;
    });
    $(prefix + "signals").replaceChildren.apply($(prefix + "signals"), signals.length ? signals : [el("li", "muted", "geen")]);
    var facts = $(prefix + "facts"); facts.replaceChildren();
    Object.keys(ctx.facts || {}).forEach(function (k) {
      if (k === "postcode_verified" && !ctx.facts.order_number) return;  // no order yet: nothing was checked
      facts.appendChild(el("dt", "", label("facts", k)));
      facts.appendChild(el("dd", "", factValue(k, ctx.facts[k])));
    });
    var done = (ctx.bot_actions || []).map(function (a) { return el("li", "", a); });
    $(prefix + "actions").replaceChildren.apply($(prefix + "actions"), done.length ? done : [el("li", "muted", "nog niets")]);
  }
  function showTranscript(t, messages) {
    t.replaceChildren.apply(t, messages.map(line));
    t.scrollTop = t.scrollHeight;
  }
  function append(message) {
    // One message into the open transcript, once, in order (a gap: fetch what is missing first).
    if (!current || !message.seq || message.seq <= shownSeq) return;
    if (message.seq > shownSeq + 1) { push.catchUp(); return; }
    var t = $("transcript");
    var atBottom = t.scrollTop + t.clientHeight >= t.scrollHeight - 20;
    t.appendChild(line(message));
    shownSeq = message.seq;
    if (atBottom) t.scrollTop = t.scrollHeight;
  }

  function callbackItem(c) {
    var li = el("li", c.overdue ? "overdue" : c.priority);
    li.setAttribute("data-callback", c.id);
    if (currentCallback && currentCallback.id === c.id) li.classList.add("active");
    li.appendChild(el("strong", "", c.due));
    if (c.overdue) li.appendChild(el("span", "late", " · te laat"));
    li.appendChild(el("small", "", (CHANNEL[c.channel] || c.channel) + ": " + c.contact));
    li.appendChild(el("small", "", label("reasons", c.reason)));
    li.addEventListener("click", function () { openCallback(c.id); });
    return li;
  }
  function loadCallbacks() {
    return api("GET", "/api/callbacks").then(function (data) {
      var select = $("cb-outcome");
      if (select.options.length === 1) {
        Object.keys(data.outcomes).forEach(function (k) { var o = el("option", "", data.outcomes[k]); o.value = k; select.appendChild(o); });
      }
      $("callbacks").replaceChildren.apply($("callbacks"), data.open.map(callbackItem));
      var late = data.open.filter(function (c) { return c.overdue; }).length;
      $("callback-count").textContent = data.open.length + (late ? " · " + late + " te laat" : "");
    });
  }
  function openCallback(id) {
    return api("GET", "/api/callbacks/" + id).then(function (c) {
      currentCallback = c; current = null; watch(null);
      $("empty").hidden = true; $("conversation").hidden = true; $("callback").hidden = false;
      $("cb-when").textContent = c.due;
      $("cb-overdue").hidden = !c.overdue;
      $("cb-how").textContent = "· " + (CHANNEL[c.channel] || c.channel) + ": " + c.contact;
      $("cb-reason").textContent = label("reasons", c.reason);
      $("cb-summary").textContent = c.summary;
      fillContext("cb-", c.context || {});
      showTranscript($("cb-transcript"), c.messages);
      var done = c.status !== "scheduled";
      $("cb-outcome").disabled = done; $("cb-note").disabled = done;
      $("cb-form").querySelector("button").disabled = done;
      $("cb-result").textContent = done ? "Uitkomst: " + c.outcome_label + (c.agent ? " (" + c.agent + ")" : "") : "";
      $("cb-error").textContent = "";
      Array.prototype.forEach.call(document.querySelectorAll(".list li"), function (li) {
        li.classList.toggle("active", String(li.getAttribute("data-callback")) === String(c.id));
      });
    });
  }
  $("cb-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!currentCallback) return;
    var id = currentCallback.id;
    api("POST", "/api/callbacks/" + id + "/outcome", { outcome: $("cb-outcome").value, note: $("cb-note").value })
      .then(function () { $("cb-note").value = ""; return loadCallbacks().then(function () { return openCallback(id); }); })
      .catch(function (e) { $("cb-error").textContent = e.message; });
  });

  // Where the open handoff is now and who has it, always as the desk says it (never a name kept from before).
  function follow(where) {
    current.status = where.status; current.agent = where.agent; current.agent_id = where.agent_id;
    showButtons();
  }
  function showButtons() {
    var h = current;
    // Where the handoff is now, from the desk's labels: "bij Sanne" only while Sanne has it.
    $("card-status").textContent = "· " + label("handoff_statuses", h.status).replace("{agent}", h.agent || "een collega");
    var mine = h.status === "assigned" && me && (h.agent_id === me.id || me.role === "admin");
    $("claim").disabled = h.status !== "queued";
    $("handback").disabled = !mine; $("resolve").disabled = !mine;
    $("reply").disabled = !mine; $("reply-form").querySelector("button").disabled = !mine;
    $("transfer").disabled = !mine;
  }

  function watch(conversationId) { push.send({ watch: conversationId }); }

  function open(id) {
    return api("GET", "/api/handoffs/" + id).then(function (h) {
      current = h;
      $("empty").hidden = true; $("conversation").hidden = false;
      var ctx = h.context || {};
      $("card-priority").textContent = label("priorities", h.priority);
      $("card-priority").className = "badge " + h.priority;
      $("card-reason").textContent = label("reasons", h.reason);
      $("card-summary").textContent = ctx.summary || "";
      fillContext("card-", ctx);
      showTranscript($("transcript"), h.messages);
      shownSeq = h.last_seq;
      showLegalHold(h.legal_hold);
      watch(h.conversation_id);
      $("callback").hidden = true; currentCallback = null;
      showButtons();
      Array.prototype.forEach.call(document.querySelectorAll(".list li"), function (li) {
        li.classList.toggle("active", String(li.getAttribute("data-handoff")) === String(h.id));
      });
    });
  }

  // Facts the customer gave while waiting reached the card: its summary and facts again, the transcript stays.
  function refreshCard(id) {
    return api("GET", "/api/handoffs/" + id).then(function (h) {
      if (!current || current.id !== id) return;
      current.context = h.context;
      $("card-summary").textContent = (h.context || {}).summary || "";
      fillContext("card-", h.context || {});
    }).catch(function () { /* the card stays as it was */ });
  }

  // Admins: legal hold keeps a conversation past the retention period and out of erasure requests.
  function showLegalHold(held) {
    var button = $("legal-hold");
    button.hidden = !me || me.role !== "admin";
    button.textContent = held ? "Juridisch bewaren opheffen" : "Juridisch bewaren";
    button.setAttribute("aria-pressed", held ? "true" : "false");
  }
  $("legal-hold").addEventListener("click", function () {
    if (!current) return;
    var hold = $("legal-hold").getAttribute("aria-pressed") !== "true";
    $("action-error").textContent = "";
    api("PUT", "/api/conversations/" + encodeURIComponent(current.conversation_id) + "/legal-hold", { hold: hold })
      .then(function (answer) { current.legal_hold = answer.legal_hold; showLegalHold(answer.legal_hold); loadPrivacyAudit(); })
      .catch(function (e) { $("action-error").textContent = e.message; });
  });

  var PRIVACY_KINDS = { export: "export", erase: "gewist", retention: "bewaartermijn", legal_hold: "juridisch bewaren" };
  function loadPrivacyAudit() {
    if (!me || me.role !== "admin") return;
    api("GET", "/api/privacy/audit").then(function (data) {
      var list = $("privacy-audit");
      list.textContent = "";
      data.lines.forEach(function (line) {
        var counts = Object.keys(line.counts).filter(function (k) { return line.counts[k]; })
          .map(function (k) { return k.replace(/_/g, " ") + " " + line.counts[k]; }).join(", ");
        list.appendChild(el("li", "", Staff.when(line.at) + " · " + (PRIVACY_KINDS[line.kind] || line.kind) + " · " +
          line.criterion + " · " + line.actor + (counts ? " · " + counts : "")));
      });
    }).catch(function () { /* the list stays as it was */ });
  }
  function loadAccess() {
    if (!me || me.role !== "admin") return;
    api("GET", "/api/agents/access").then(function (data) {
      $("access-list").replaceChildren.apply($("access-list"), data.agents.map(function (a) {
        var li = el("li", "", a.first_name + " (" + a.username + ")" + (a.active ? "" : " · uitgeschakeld") +
          (a.failed_logins ? " · " + a.failed_logins + "× verkeerd wachtwoord" : "") +
          (a.locked_until ? " · geblokkeerd tot " + Staff.clock(a.locked_until) + " " : ""));
        if (a.locked_until) {
          var unlock = el("button", "link", "ontgrendelen");
          unlock.type = "button";
          unlock.dataset.testid = "unlock-" + a.username;
          unlock.addEventListener("click", function () {
            api("POST", "/api/agents/" + encodeURIComponent(a.username) + "/unlock").then(loadAccess)
              .catch(function (e) { $("action-error").textContent = e.message; });
          });
          li.appendChild(unlock);
        }
        return li;
      }));
    }).catch(function () { /* the list stays as it was */ });
  }
  $("access-admin").addEventListener("toggle", loadAccess);

  function privacyRequest() { return { kind: $("privacy-kind").value, value: $("privacy-value").value }; }
  $("privacy-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("privacy-result").textContent = "Bezig…";
    api("POST", "/api/privacy/export", privacyRequest()).then(function (data) {
      var file = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      var link = el("a");
      link.href = URL.createObjectURL(file);
      link.download = "balie-export-" + data.exported_at.slice(0, 10) + ".json";
      link.click();
      URL.revokeObjectURL(link.href);
      $("privacy-result").textContent = data.conversations.length + " gesprek(ken) geëxporteerd.";
      loadPrivacyAudit();
    }).catch(function (e) { $("privacy-result").textContent = e.message; });
  });
  $("privacy-erase").addEventListener("click", function () {
    var request = privacyRequest();
    if (!request.value.trim()) { $("privacy-result").textContent = "Vul eerst in wat je zoekt."; return; }
    if (!window.confirm("Alles van deze klant wissen, ook bij de bot? Dit kan niet ongedaan worden.")) return;
    request.confirm = true;
    api("POST", "/api/privacy/erase", request).then(function (data) {
      var erased = data.erased;
      $("privacy-result").textContent = erased.conversations + " gesprek(ken) gewist" +
        (erased.kept_on_legal_hold ? "; " + erased.kept_on_legal_hold + " juridisch bewaard en niet gewist." : ".");
      loadPrivacyAudit();
    }).catch(function (e) { $("privacy-result").textContent = e.message; });
  });

  function act(path, body) {
    // Resolves to true when it worked; on failure the reason is shown and it resolves to false.
    $("action-error").textContent = "";
    return api("POST", path, body).then(function (answer) {
      if (answer && answer.message) append(answer.message);
      return refresh().then(function () { return true; });
    }).catch(function (e) { $("action-error").textContent = e.message; return false; });
  }
  function send(path, text) {
    // Empty the box at once, so that what the agent types next is never wiped; put the text back on failure.
    $("reply").value = "";
    act(path, { text: text }).then(function (ok) { if (!ok && !$("reply").value) { $("reply").value = text; } });
  }
  $("claim").addEventListener("click", function () { act("/api/handoffs/" + current.id + "/claim"); });
  $("handback").addEventListener("click", function () { act("/api/handoffs/" + current.id + "/handback"); });
  $("resolve").addEventListener("click", function () { act("/api/handoffs/" + current.id + "/resolve"); });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply").value.trim();
    if (!text) { $("action-error").textContent = "Typ eerst een antwoord."; return; }
    send("/api/handoffs/" + current.id + "/messages", text);
  });
  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });

  function loadCanned() {
    return api("GET", "/api/canned").then(function (data) {
      canned = data.canned;
      var select = $("canned");
      select.replaceChildren(el("option", "", "Standaardantwoord invoegen…"));
      select.firstChild.value = "";
      canned.forEach(function (c) { var o = el("option", "", c.title); o.value = String(c.id); select.appendChild(o); });
      $("canned-list").replaceChildren.apply($("canned-list"), canned.map(function (c) {
        var li = el("li", "", c.title + " ");
        var remove = el("button", "link", "verwijderen");
        remove.type = "button";
        remove.addEventListener("click", function () { api("DELETE", "/api/canned/" + c.id).then(loadCanned); });
        li.appendChild(remove);
        return li;
      }));
    });
  }

  function loadColleagues() {
    return api("GET", "/api/agents").then(function (data) {
      var select = $("transfer-to");
      select.replaceChildren();
      var others = data.agents.filter(function (a) { return !me || a.username !== me.username; });
      if (!others.length) { var none = el("option", "", "Geen collega's"); none.value = ""; select.appendChild(none); }
      others.forEach(function (a) {
        var o = el("option", "", a.first_name + " (" + label("agent_statuses", a.status) + ", " + a.open_chats + " open)");
        o.value = a.username;
        select.appendChild(o);
      });
    });
  }

  $("canned").addEventListener("change", function (event) {
    var chosen = canned.filter(function (c) { return String(c.id) === event.target.value; })[0];
    if (chosen) { $("reply").value = ($("reply").value ? $("reply").value + "\n" : "") + chosen.text; $("reply").focus(); }
    event.target.value = "";
  });
  $("note-send").addEventListener("click", function () {
    var text = $("reply").value.trim();
    if (!text) { $("action-error").textContent = "Typ eerst je notitie."; return; }
    send("/api/handoffs/" + current.id + "/notes", text);
  });
  $("transfer").addEventListener("click", function () {
    act("/api/handoffs/" + current.id + "/transfer", { to: $("transfer-to").value, note: $("transfer-note").value })
      .then(function (ok) { if (ok) { $("transfer-note").value = ""; loadColleagues(); } });
  });
  $("canned-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/api/canned", { title: $("canned-title").value, text: $("canned-text").value })
      .then(function () { $("canned-title").value = ""; $("canned-text").value = ""; return loadCanned(); })
      .catch(function (e) { $("action-error").textContent = e.message; });
  });

  var push = BaliePush.follow({
    url: function () {
      return Staff.token() ? location.origin.replace(/^http/, "ws") + "/api/agent/ws?token=" + encodeURIComponent(Staff.token()) : null;
    },
    highest: function () { return current ? shownSeq : null; },
    fetch: function () {  // the open conversation after the last number shown
      var id = current.id;
      return api("GET", "/api/handoffs/" + id + "/messages?after=" + shownSeq).then(function (data) {
        if (current && current.id === id) data.messages.forEach(append);
      });
    },
    concerns: function (data) { return !!current && data.conversation_id === current.conversation_id; },
    show: append,
    connection: function (up) { if (up) { if (current) watch(current.conversation_id); refresh(); } },
    other: function (data) {
      if (data.type === T.QUEUE_CHANGED || data.type === T.NEW_HANDOFF) refreshSoon();
      if (data.type === T.CALLBACKS_CHANGED) loadCallbacks();
      if (data.type === T.AGENTS_CHANGED) {
        loadColleagues();
        api("GET", "/api/agent/me").then(function (agent) {  // the desk may have set her away (presence)
          me = agent; $("status").value = agent.status; showPresence(agent.presence_notice);
        }).catch(function () {});
      }
      if (data.type === T.CONTEXT_CHANGED && current && data.handoff_id === current.id) refreshCard(current.id);
      if (data.type === T.ASSIGNED) {
        refreshSoon();
        if (me && data.agent_id === me.id) {
          notify("Er is een klant aan je toegewezen", "Open het gesprek in Mijn gesprekken");
          if (!current) open(data.handoff_id);
        }
      }
      if (data.type === T.STATE && current && data.conversation_id === current.conversation_id) refreshSoon();
      if (data.type === T.HEARTBEAT) {
        if (queueStamp !== null && data.queue_stamp !== queueStamp) refreshSoon();
        queueStamp = data.queue_stamp;
      }
      if (data.type === T.RESYNC) refreshSoon();
    },
    signedOut: showLogin  // signed out elsewhere, disabled, or expired (the desk closes with 4401)
  });

  if (Staff.token()) start(); else showLogin();
})();
