/* Agent console. All customer-provided text is inserted with textContent. */
(function () {
  "use strict";
  var TOKEN_KEY = "balie.agent.token";
  var token = sessionStorage.getItem(TOKEN_KEY);
  var me = null, current = null, currentCallback = null, callbackTimer = null, socket = null, knownQueue = {}, loaded = false;
  var CHANNEL = { phone: "Bellen", email: "Mailen" };
  var REASONS = {
    customer_request: "Klant vraagt om een medewerker", frustration: "Frustratie", abuse: "Grof taalgebruik",
    complexity: "Complexe vraag", not_understood: "Niet begrepen door de bot", repeated_question: "Herhaalde vraag",
    legal_threat: "Juridische dreiging", sensitive: "Gevoelige kwestie", deadline_at_risk: "Deadline in gevaar",
    bot_unavailable: "Bot niet beschikbaar"
  };
  var PRIORITY = { urgent: "Urgent", high: "Hoog", normal: "Normaal" };
  var SENDER = { customer: "Klant", bot: "Bot", agent: "Medewerker", system: "Systeem", note: "Notitie" };
  var canned = [];
  var FACT_LABELS = { order_number: "Bestelnummer", postcode_verified: "Postcode gecontroleerd", deadline: "Deadline",
    return_code: "Retourcode", order_status: "Status" };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401 && path !== "/api/agent/login") { showLogin(); }
        if (!r.ok) { var e = new Error(typeof data.detail === "string" ? data.detail : "Er ging iets mis (" + r.status + ")."); e.status = r.status; throw e; }
        return data;
      });
    });
  }

  function showLogin() {
    token = null; sessionStorage.removeItem(TOKEN_KEY);
    if (socket) { socket.close(); socket = null; }
    $("desk").hidden = true; $("login").hidden = false;
  }

  function start() {
    api("GET", "/api/agent/me").then(function (agent) {
      me = agent;
      $("me-name").textContent = agent.first_name;
      $("status").value = agent.status;
      $("login").hidden = true; $("desk").hidden = false;
      refresh(); connect(); loadCanned(); loadColleagues(); loadCallbacks();
      $("canned-admin").hidden = agent.role !== "admin";
      $("editor-link").hidden = agent.role !== "editor" && agent.role !== "admin";
      $("dashboard-link").hidden = agent.role !== "admin";
      if (window.Notification && Notification.permission === "default") { Notification.requestPermission(); }
      if (!callbackTimer) callbackTimer = setInterval(function () { if (token) loadCallbacks(); }, 60000);  // overdue ones turn red
    }).catch(function () { showLogin(); });
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    $("login-error").textContent = "";
    fetch("/api/agent/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: form.username.value, password: form.password.value }) })
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail || "Inloggen mislukt."); return d; }); })
      .then(function (data) { token = data.token; sessionStorage.setItem(TOKEN_KEY, token); form.password.value = ""; start(); })
      .catch(function (e) { $("login-error").textContent = e.message; });
  });

  $("status").addEventListener("change", function (event) {
    $("action-error").textContent = "";
    api("POST", "/api/agent/status", { status: event.target.value })
      .then(function (agent) { me = agent; return refresh(); })
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
    li.appendChild(el("strong", "", REASONS[h.reason] || h.reason));
    li.setAttribute("data-reason", h.reason);
    li.appendChild(el("small", "", PRIORITY[h.priority] + " · wacht sinds " + new Date(h.waiting_since).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" })));
    li.appendChild(el("small", "", h.summary));
    li.addEventListener("click", function () { open(h.id); });
    return li;
  }

  function refresh() {
    return api("GET", "/api/handoffs").then(function (data) {
      var fresh = data.queue.filter(function (h) { return !knownQueue[h.id]; });
      knownQueue = {};
      data.queue.forEach(function (h) { knownQueue[h.id] = true; });
      $("queue").replaceChildren.apply($("queue"), data.queue.map(item));
      $("mine").replaceChildren.apply($("mine"), data.mine.map(item));
      $("review").replaceChildren.apply($("review"), (data.review || []).map(item));
      $("queue-count").textContent = data.queue.length;
      loaded = true;
      document.title = (data.queue.length ? "(" + data.queue.length + ") " : "") + "Balie · Medewerkersconsole";
      if (fresh.length && loaded) { notify("Nieuwe klant in de wachtrij", REASONS[fresh[0].reason] || fresh[0].reason); }
      if (current) { open(current.id); }
    });
  }

  function line(m) {
    var div = el("div", "line " + m.sender);
    div.appendChild(el("time", "", new Date(m.at).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" })));
    var who = m.sender === "agent" && m.agent_name ? m.agent_name
      : m.sender === "note" ? "Notitie van " + (m.agent_name || "collega") : SENDER[m.sender] || m.sender;
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
    $(prefix + "signals").replaceChildren.apply($(prefix + "signals"), (ctx.signals || []).map(function (s) {
      var li = el("li"); li.appendChild(el("strong", "", s.name + ": ")); li.appendChild(document.createTextNode("“" + s.evidence + "”")); return li;
    }));
    var facts = $(prefix + "facts"); facts.replaceChildren();
    Object.keys(ctx.facts || {}).forEach(function (k) {
      facts.appendChild(el("dt", "", FACT_LABELS[k] || k));
      facts.appendChild(el("dd", "", factValue(k, ctx.facts[k])));
    });
    $(prefix + "actions").replaceChildren.apply($(prefix + "actions"), (ctx.bot_actions || []).map(function (a) { return el("li", "", a); }));
  }
  function showTranscript(t, messages) {
    t.replaceChildren.apply(t, messages.map(line));
    t.scrollTop = t.scrollHeight;
  }

  function callbackItem(c) {
    var li = el("li", c.overdue ? "overdue" : c.priority);
    li.setAttribute("data-callback", c.id);
    if (currentCallback && currentCallback.id === c.id) li.classList.add("active");
    li.appendChild(el("strong", "", c.due));
    if (c.overdue) li.appendChild(el("span", "late", " · te laat"));
    li.appendChild(el("small", "", (CHANNEL[c.channel] || c.channel) + ": " + c.contact));
    li.appendChild(el("small", "", REASONS[c.reason] || c.reason));
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
      currentCallback = c; current = null;
      $("empty").hidden = true; $("conversation").hidden = true; $("callback").hidden = false;
      $("cb-when").textContent = c.due;
      $("cb-overdue").hidden = !c.overdue;
      $("cb-how").textContent = "· " + (CHANNEL[c.channel] || c.channel) + ": " + c.contact;
      $("cb-reason").textContent = REASONS[c.reason] || c.reason;
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

  function open(id) {
    return api("GET", "/api/handoffs/" + id).then(function (h) {
      current = h;
      $("empty").hidden = true; $("conversation").hidden = false;
      var ctx = h.context || {};
      $("card-priority").textContent = PRIORITY[h.priority] || h.priority;
      $("card-priority").className = "badge " + h.priority;
      $("card-reason").textContent = REASONS[h.reason] || h.reason;
      $("card-status").textContent = h.status === "queued" ? "· in de wachtrij"
        : h.status === "review" ? "· gesprek beëindigd door de bot" : h.agent ? "· bij " + h.agent : "";
      $("card-summary").textContent = ctx.summary || "";
      fillContext("card-", ctx);
      showTranscript($("transcript"), h.messages);
      $("callback").hidden = true; currentCallback = null;
      var mine = h.status === "assigned" && me && (h.agent === me.first_name || me.role === "admin");
      $("claim").disabled = h.status !== "queued";
      $("handback").disabled = !mine; $("resolve").disabled = !mine;
      $("reply").disabled = !mine; $("reply-form").querySelector("button").disabled = !mine;
      $("transfer").disabled = !mine;
      Array.prototype.forEach.call(document.querySelectorAll(".list li"), function (li) {
        li.classList.toggle("active", String(li.getAttribute("data-handoff")) === String(h.id));
      });
    });
  }

  function act(path, body) {
    // Resolves to true when it worked; on failure the reason is shown and it resolves to false.
    $("action-error").textContent = "";
    return api("POST", path, body).then(function () { return refresh().then(function () { return true; }); })
      .catch(function (e) { $("action-error").textContent = e.message; return false; });
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
        var label = { online: "online", away: "afwezig", offline: "offline" }[a.status] || a.status;
        var o = el("option", "", a.first_name + " (" + label + ", " + a.open_chats + " open)");
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

  function connect() {
    if (!token || socket) return;
    socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/api/agent/ws?token=" + encodeURIComponent(token));
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "queue_changed") refresh();
      if (data.type === "callbacks_changed") loadCallbacks();
      if (data.type === "assigned" && me && data.agent_id === me.id) {
        notify("Er is een klant aan je toegewezen", "Open het gesprek in Mijn gesprekken");
        refresh().then(function () { if (!current) open(data.handoff_id); });
      }
      if (data.type === "message" && current && data.conversation_id === current.conversation_id) open(current.id);
    };
    socket.onclose = function (event) { socket = null; if (event.code !== 4401 && token) setTimeout(connect, 2000); };
  }

  if (token) start(); else showLogin();
})();
