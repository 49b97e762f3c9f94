/* Balie chat widget: add <script src="https://desk.example/widget.js" defer></script> to any page.
   Everything shown is set with textContent, never innerHTML: customer, bot and agent text stay text.
   The desk serves it with push.js in front (BaliePush: the push types, reconnect and catch-up), both inside
   one function scope, so nothing leaks into the shop's page. */
(function () {
  "use strict";
  var T = BaliePush.TYPES;
  var script = document.currentScript;
  var BASE = new URL(script && script.src ? script.src : "/widget.js", location.href).origin;
  var KEY = "balie.conversation." + BASE;
  var OPEN_KEY = "balie.open";
  var conversation = load();
  if (conversation && (conversation.customer || null) !== customerId()) save(null);  // someone else logged in or out
  var seen = {}, maxSeq = 0;
  var busy = false, lastPush = 0;
  var live = false, unread = 0, pageTitle = document.title;  // live: the history is shown, what comes now is new

  function identity() {
    // A logged-in customer: the shop signs who they are on its server (README, "Logged-in customers").
    var given = (script && script.getAttribute("data-customer-token")) || (window.BalieCustomer && window.BalieCustomer.token);
    return typeof given === "string" && given.length < 2000 ? given : null;
  }
  function customerId() {
    // Only to notice that another person uses this browser now; the desk checks the signature itself.
    try {
      var part = identity().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return String(JSON.parse(atob(part + "===".slice((part.length + 3) % 4))).id);
    } catch (e) { return null; }
  }
  function load() { try { return JSON.parse(localStorage.getItem(KEY)); } catch (e) { return null; } }
  function save(c) { conversation = c; if (c) localStorage.setItem(KEY, JSON.stringify(c)); else localStorage.removeItem(KEY); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The widget lives in a Shadow DOM: the shop's CSS cannot reach in, and ours does not leak out. Styles go
  // in as a constructed stylesheet, which a strict Content-Security-Policy on the shop page allows.
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".balie-launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;background:#2f5d46;color:#fff;border:0;border-radius:28px;padding:14px 22px;font:600 15px system-ui,sans-serif;box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer}",
    ".balie-launcher:focus-visible,.balie-panel button:focus-visible,.balie-panel textarea:focus-visible{outline:3px solid #f2b705;outline-offset:2px}",
    ".balie-panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;width:370px;max-width:calc(100vw - 32px);height:560px;max-height:calc(100vh - 48px);background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:none;flex-direction:column;overflow:hidden;font:14px/1.45 system-ui,sans-serif;color:#1f2a24;text-align:left}",
    ".balie-panel.open{display:flex}",
    "@media (max-width:480px){.balie-panel{right:0;bottom:0;width:100vw;max-width:none;height:100vh;height:100dvh;max-height:none;border-radius:0}}",
    ".balie-head{background:#2f5d46;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center}",
    ".balie-head h2{font-size:15px;margin:0;font-weight:700}.balie-head small{display:block;opacity:.85}",
    ".balie-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1;padding:4px 8px}",
    ".balie-status{background:#fff6dd;color:#6b5200;padding:8px 14px;font-size:13px;display:none}",
    ".balie-status.show{display:block}",
    ".balie-log{flex:1;overflow-y:auto;padding:14px;background:#f7f8f6}",
    ".balie-msg{margin:0 0 10px;max-width:85%;padding:9px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".balie-msg .who{display:block;font-size:11px;font-weight:600;opacity:.7;margin-bottom:2px}",
    ".balie-customer{margin-left:auto;background:#2f5d46;color:#fff;border-bottom-right-radius:4px}",
    ".balie-bot{background:#fff;border:1px solid #e1e5e1;border-bottom-left-radius:4px}",
    ".balie-agent{background:#e6f0ff;border:1px solid #c9dbf7;border-bottom-left-radius:4px}",
    ".balie-system{margin:6px auto 12px;text-align:center;background:none;color:#4f5954;font-size:12.5px;font-style:italic}",
    ".balie-buttons{display:flex;flex-wrap:wrap;gap:6px;margin:-4px 0 12px}",
    ".balie-buttons button{border:1px solid #2f5d46;background:#fff;color:#2f5d46;border-radius:16px;padding:6px 12px;cursor:pointer;font:inherit}",
    ".balie-buttons button:hover{background:#2f5d46;color:#fff}",
    ".balie-form{display:flex;border-top:1px solid #e1e5e1}",
    ".balie-form textarea{flex:1;border:0;padding:12px;font:inherit;resize:none;height:44px}",
    ".balie-form button{border:0;background:#2f5d46;color:#fff;padding:0 18px;font:600 14px system-ui,sans-serif;cursor:pointer}",
    ".balie-form button:disabled{opacity:.5;cursor:default}",
    ".balie-error{color:#a1261b;font-size:12.5px;padding:4px 14px}",
    ".balie-typing{color:#4f5954;font-size:12.5px;padding:0 14px 6px;min-height:18px}",
    ".balie-badge{display:inline-block;min-width:20px;margin-left:8px;padding:1px 6px;border-radius:10px;background:#c0392b;color:#fff;font-size:12px;text-align:center}",
    ".balie-badge[hidden]{display:none}",
    ".balie-msg a{color:inherit;text-decoration:underline;word-break:break-all}",
    ".balie-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
  ].join("\n");
  var host = el("div");
  host.id = "balie-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var css = el("style"); css.textContent = CSS; root.appendChild(css);
  }

  var launcher = el("button", "balie-launcher", "💬 Chat met ons");
  var badge = el("span", "balie-badge");
  badge.hidden = true;
  badge.setAttribute("data-testid", "balie-unread");
  launcher.appendChild(badge);
  launcher.type = "button";
  launcher.setAttribute("data-testid", "balie-launcher");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "balie-panel");
  var panel = el("section", "balie-panel");
  panel.id = "balie-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "balie-title");
  panel.setAttribute("data-testid", "balie-panel");
  var head = el("div", "balie-head");
  var title = el("div");
  var heading = el("h2", "", "Klantenservice");
  heading.id = "balie-title";
  title.appendChild(heading);
  var ASSISTANT = "Digitale assistent · een medewerker als het nodig is";
  var subtitle = el("small", "", ASSISTANT);
  title.appendChild(subtitle);
  var close = el("button", "balie-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Chat sluiten");
  head.appendChild(title); head.appendChild(close);
  var status = el("div", "balie-status");
  status.setAttribute("data-testid", "balie-status");
  status.setAttribute("role", "status");
  var log = el("div", "balie-log");
  log.setAttribute("data-testid", "balie-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Gesprek");
  log.tabIndex = 0;
  var typing = el("div", "balie-typing");
  typing.setAttribute("aria-live", "polite");
  var error = el("div", "balie-error");
  error.setAttribute("role", "alert");
  var form = el("form", "balie-form");
  var inputLabel = el("label", "balie-hidden", "Je bericht");
  inputLabel.htmlFor = "balie-input";
  var input = el("textarea");
  input.id = "balie-input";
  input.setAttribute("placeholder", "Typ je vraag…");
  input.setAttribute("maxlength", "1000");
  input.setAttribute("data-testid", "balie-input");
  var sendButton = el("button", "", "Verstuur");
  sendButton.type = "submit";
  sendButton.setAttribute("data-testid", "balie-send");
  form.appendChild(inputLabel); form.appendChild(input); form.appendChild(sendButton);
  [head, status, log, typing, error, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher);
  root.appendChild(panel);

  function mount() {
    document.body.appendChild(host);
    if (sessionStorage.getItem(OPEN_KEY) === "1") openPanel();
  }

  function who(m) {
    if (m.sender === "customer") return "Jij";
    if (m.sender === "agent") return (m.agent_name || "Medewerker") + " · medewerker";
    if (m.sender === "bot") return "Assistent";
    return "";
  }

  // Web addresses (http and https only) become links that open in a new tab without access to this page; the rest
  // stays text. Built from text nodes and an element, never from HTML, so nothing in a message can become markup.
  var LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
  function appendText(node, text) {
    var last = 0, match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text))) {
      var href = match[0].replace(/[.,;:!?)]+$/, "");
      if (match.index > last) node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var url = null;
      try { url = new URL(href); } catch (e) { url = null; }
      if (url && (url.protocol === "http:" || url.protocol === "https:")) {
        var a = el("a", "", href);
        a.href = url.href; a.target = "_blank"; a.rel = "noopener noreferrer";
        node.appendChild(a);
      } else node.appendChild(document.createTextNode(href));
      last = match.index + href.length;
      LINK.lastIndex = last;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  // While the panel is closed, what the desk or a colleague says is counted on the launcher and in the page title.
  function showUnread() {
    badge.hidden = !unread;
    badge.textContent = unread ? String(unread) : "";
    badge.setAttribute("aria-label", unread === 1 ? "1 nieuw bericht" : unread + " nieuwe berichten");
    document.title = unread ? "(" + unread + ") " + pageTitle : pageTitle;
  }

  function clearButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".balie-buttons"), function (b) { b.remove(); });
  }

  // The desk says which buttons it accepts now (valid_payloads, with every answer, read and push); the others go.
  // `upTo`: the newest message the desk had when it said so; a set older than what is shown is not followed.
  function keepValid(payloads, upTo) {
    if (!Array.isArray(payloads) || (upTo && upTo < maxSeq)) return;
    Array.prototype.forEach.call(log.querySelectorAll(".balie-buttons button"), function (b) {
      if (payloads.indexOf(b.getAttribute("data-payload")) < 0) b.remove();
    });
    Array.prototype.forEach.call(log.querySelectorAll(".balie-buttons"), function (row) {
      if (!row.children.length) row.remove();
    });
  }

  // Messages are numbered per conversation (seq). Each is shown once, in order; a gap or a heartbeat
  // with a higher number makes the widget fetch what it missed (after a reconnect, a lost push, ...).
  function placeFor(seq) {
    var later = null;
    Array.prototype.some.call(log.querySelectorAll(".balie-msg[data-seq]"), function (n) {
      if (Number(n.getAttribute("data-seq")) > seq) { later = n; return true; }
      return false;
    });
    return later;
  }

  function render(m) {
    if (m.seq) {
      if (seen[m.seq]) return;
      seen[m.seq] = true;
      if (m.seq > maxSeq) maxSeq = m.seq;
      if (m.sender === "customer" && m.client_key) {  // shown already, when it was sent
        var mine = log.querySelector('.balie-msg[data-client-key="' + m.client_key + '"]');
        if (mine) { mine.setAttribute("data-seq", m.seq); return; }
      }
    }
    var node = el("div", "balie-msg balie-" + (m.sender || "bot"));
    node.setAttribute("data-sender", m.sender || "bot");
    if (m.seq) node.setAttribute("data-seq", m.seq);
    if (m.client_key) node.setAttribute("data-client-key", m.client_key);
    var label = who(m);
    if (label) node.appendChild(el("span", "who", label));
    appendText(node, m.text || "");
    var before = m.seq ? placeFor(m.seq) : null;
    log.insertBefore(node, before);
    // A new offer replaces the one before (as at the desk); which buttons still stand, the desk says (keepValid).
    if (m.buttons && m.buttons.length && !before) {
      clearButtons();
      var row = el("div", "balie-buttons");
      m.buttons.forEach(function (b) {
        var button = el("button", "", b.title);
        button.type = "button";
        button.setAttribute("data-payload", b.payload);
        button.addEventListener("click", function () { if (busy) return; row.remove(); post(b.title, b.payload); });
        row.appendChild(button);
      });
      log.appendChild(row);
    }
    if (live && !before && m.sender !== "customer" && !panel.classList.contains("open")) { unread += 1; showUnread(); }
    scrollToNewest();
  }

  // The newest message and the buttons that belong to it in view (also when the panel opens again).
  function scrollToNewest() {
    log.scrollTop = log.scrollHeight;
    var last = log.lastElementChild;
    if (last && last.scrollIntoView) last.scrollIntoView({ block: "end" });
  }
  // The conversation gets shorter when a line around it appears (the status above: a place in line, who helps; an
  // error below): a customer who was at the newest stays there, so the buttons just offered stay in view.
  function keepNewestInView(change) {
    var last = log.lastElementChild;
    var atEnd = !last || last.getBoundingClientRect().bottom <= log.getBoundingClientRect().bottom + 1;
    change();
    if (atEnd) scrollToNewest();
  }

  function showState(s, upTo) {
    if (!s || !s.state) return;
    keepValid(s.valid_payloads, upTo);
    keepNewestInView(function () {
      if (s.status_text) { status.textContent = s.status_text; status.classList.add("show"); }
      else status.classList.remove("show");
    });
    subtitle.textContent = s.subtitle || ASSISTANT;  // who is on the other side, as the desk words it
  }

  function key() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (conversation) headers.Authorization = "Bearer " + conversation.token;
    // The message's key in a header too: only then does the load balancer send it to another desk when the
    // first one dies mid-turn (the desk stores a message once per key).
    if (body && body.client_key) headers["Idempotency-Key"] = body.client_key;
    return fetch(BASE + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) { var e = new Error(typeof data.detail === "string" ? data.detail : "Er ging iets mis."); e.status = r.status; throw e; }
          return data;
        });
      });
  }

  function ensureConversation() {
    if (conversation) return Promise.resolve(conversation);
    var body = identity() ? { identity: identity() } : undefined;
    return api("POST", "/api/conversations", body).then(function (c) {
      c.customer = customerId(); save(c); push.connect(); return c;
    });
  }

  var push = BaliePush.follow({
    url: function () {
      return conversation ? BASE.replace(/^http/, "ws") + "/api/conversations/" + conversation.conversation_id +
        "/ws?token=" + encodeURIComponent(conversation.token) : null;
    },
    highest: function () { return conversation ? maxSeq : null; },
    fetch: function () {  // everything after the highest number shown
      return api("GET", "/api/conversations/" + conversation.conversation_id + "/messages?after=" + maxSeq)
        .then(function (data) { data.messages.forEach(render); showState(data, data.last_seq); })
        .catch(function (e) { if (e.status === 401) save(null); });
    },
    show: render,
    other: function (data) {
      if (data.type === T.STATE) { lastPush = Date.now(); showState(data); }
      if (data.type === T.MESSAGE && data.message) keepValid(data.valid_payloads, data.message.seq);
    },
    connection: function (up) { reconnecting(!up); },
    pollWhileDown: 5000  // until the WebSocket is back
  });

  function retryable(e) { return !e.status || e.status === 502 || e.status === 503 || e.status === 504; }

  function send(path, body, attempt) {
    // A lost answer is sent again with the same client_key: the desk stores the message once.
    return api("POST", path, body).catch(function (e) {
      if (!retryable(e) || attempt >= 4) throw e;
      typing.textContent = "Verbinding wordt hersteld…";
      return new Promise(function (resolve) { setTimeout(resolve, 800 * Math.pow(2, attempt)); })
        .then(function () { return send(path, body, attempt + 1); });
    });
  }

  function post(text, payload) {
    if (busy) return;
    busy = true; sendButton.disabled = true; error.textContent = "";
    var body = { text: text, client_key: key() };
    if (payload) body.payload = payload;
    render({ sender: "customer", text: text, client_key: body.client_key });
    typing.textContent = "De assistent typt…";
    var sent = Date.now();
    ensureConversation().then(function (c) {
      return send("/api/conversations/" + c.conversation_id + "/messages", body, 0);
    }).then(function (data) {
      render({ seq: data.seq, sender: "customer", client_key: body.client_key, text: text });
      data.replies.forEach(render);
      var upTo = data.replies.reduce(function (n, r) { return Math.max(n, r.seq || 0); }, data.seq || 0);
      if (lastPush < sent) showState(data, upTo);  // a live update that came in meanwhile is newer
      else keepValid(data.valid_payloads, upTo);
    }).catch(function (e) {
      if (e.status && e.status < 500) {
        keepNewestInView(function () { error.textContent = e.message || "Er ging iets mis."; });
        return;
      }
      return siteAllowed().then(function (allowed) {  // a site the desk refuses looks like no network to a browser
        keepNewestInView(function () {
          error.textContent = allowed ? "De chat is nu niet bereikbaar, je bericht is niet verstuurd. Controleer je "
            + "verbinding en probeer het zo opnieuw." : "";
        });
      });
    }).then(function () { busy = false; sendButton.disabled = input.disabled; typing.textContent = ""; input.focus(); });
  }

  // Whether this site may use the chat, asked once (/api/site answers any site; the customer API refuses an
  // unlisted one without CORS headers, which a browser reports as a network error). On a refused site the
  // customer reads that the chat is not available here, and the shop's developer reads which setting to add.
  var site = null;
  function siteAllowed() {
    if (!site) {
      site = fetch(BASE + "/api/site").then(function (r) { return r.json(); }).then(function (answer) {
        if (answer.allowed === false) notAvailable(answer);
        return answer.allowed !== false;
      }, function () { site = null; return true; });  // no answer: the network, not the site; asked again later
    }
    return site;
  }
  function notAvailable(answer) {
    if (!conversation) log.textContent = "";  // no greeting that invites a question nobody can answer
    render({ sender: "system", text: answer.text });
    input.disabled = true; sendButton.disabled = true;
    if (window.console && console.warn) {
      console.warn("Balie chat: this site (" + answer.origin + ") may not use the chat of " + BASE + ". Add " +
        answer.origin + " to the desk's " + answer.setting + " setting (a comma-separated list of shop sites) and restart the desk.");
    }
  }

  function reconnecting(on) {
    keepNewestInView(function () {
      if (on) { status.textContent = "De verbinding wordt hersteld…"; status.classList.add("show"); }
      else if (status.textContent === "De verbinding wordt hersteld…") status.classList.remove("show");
    });
  }

  function openPanel() {
    panel.classList.add("open");
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    sessionStorage.setItem(OPEN_KEY, "1");
    if (!log.childNodes.length && !conversation) {
      render({ sender: "bot", text: "Hoi! Ik ben de digitale assistent. Vraag me bijvoorbeeld waar je pakket is, hoe retourneren werkt of wat verzenden kost." });
    }
    unread = 0; showUnread();
    siteAllowed();
    scrollToNewest();
    input.focus({ preventScroll: true });
  }

  launcher.addEventListener("click", openPanel);
  function closePanel() {
    panel.classList.remove("open"); launcher.hidden = false; launcher.setAttribute("aria-expanded", "false");
    sessionStorage.setItem(OPEN_KEY, "0");
    launcher.focus();
  }
  close.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") closePanel(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { error.textContent = "Typ eerst een bericht."; return; }
    input.value = "";
    post(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  mount();
  push.catchUp().then(function () { live = true; push.connect(); });
})();
