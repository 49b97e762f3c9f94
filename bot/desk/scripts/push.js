/* What the widget and the console share about the desk's pushes: the push types (filled in by the desk from
   bot/desk/push/messages.py, the one definition) and how a page follows a socket: reconnect with backoff,
   and fetch what it may have missed (on every (re)connect, a gap in the sequence numbers, a heartbeat that
   is ahead, a resync). Served as /push.js for the staff pages, and inside /widget.js for the shop's page,
   where it stays in the widget's own scope. */
var BaliePush = (function () {
  "use strict";
  var TYPES = /*PUSH_TYPES*/{};

  /* options:
       url()          the socket's address, or null when there is nothing to follow yet
       highest()      the newest sequence number shown, or null when no conversation is in view
       fetch()        a promise: fetch and show what came after highest()
       concerns(push) whether a message or heartbeat is about the conversation in view (default: yes)
       show(message)  show one pushed message, the next in line
       other(push)    every push, after the shared handling (states, queue changes ...)
       connection(up) the socket opened (true) or was lost (false)
       signedOut()    the desk closed the socket for good (4401: signed out, disabled, unknown conversation)
       pollWhileDown  fetch this often (ms) while the socket is away (optional) */
  function follow(options) {
    var socket = null, retry = 0, stopped = false, running = null, poller = null;
    var concerns = options.concerns || function () { return true; };

    function catchUp() {
      if (options.highest() === null) return Promise.resolve();
      if (running) return running;
      running = Promise.resolve().then(options.fetch).catch(function () { /* the next beat tries again */ })
        .then(function () { running = null; });
      return running;
    }

    function received(push) {
      if (push.type === TYPES.MESSAGE && push.message && push.message.seq && concerns(push)) {
        var highest = options.highest();
        if (highest !== null && push.message.seq > highest + 1) catchUp();  // one was missed: fetch in order
        else if (highest === null || push.message.seq > highest) options.show(push.message);
      }
      if (push.type === TYPES.HEARTBEAT && concerns(push) && typeof push.last_seq === "number"
          && options.highest() !== null && push.last_seq > options.highest()) catchUp();
      if (push.type === TYPES.RESYNC) catchUp();
      if (options.other) options.other(push);
    }

    function polling(on) {
      if (!options.pollWhileDown) return;
      if (on && !poller) poller = setInterval(catchUp, options.pollWhileDown);
      if (!on && poller) { clearInterval(poller); poller = null; }
    }

    function connect() {
      var url = options.url();
      if (stopped || socket || !url) return;
      try { socket = new WebSocket(url); } catch (e) { socket = null; lost(); return; }
      socket.onopen = function () {
        retry = 0;
        polling(false);
        if (options.connection) options.connection(true);
        catchUp();  // anything stored while the socket was away or still opening
      };
      socket.onmessage = function (event) { received(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        socket = null;
        if (stopped) return;
        if (event.code === 4401) {  // signed out or an unknown conversation: stop
          if (options.signedOut) options.signedOut();
          return;
        }
        lost();
      };
    }

    function lost() {
      if (options.connection) options.connection(false);
      polling(true);
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 1000 * retry);
    }

    return {
      connect: function () { stopped = false; connect(); },
      catchUp: catchUp,
      send: function (data) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(data)); },
      stop: function () { stopped = true; polling(false); if (socket) { socket.close(); socket = null; } }
    };
  }

  return { TYPES: TYPES, follow: follow };
})();
