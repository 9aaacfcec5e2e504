// Academy incident reporter: every failed fetch / XMLHttpRequest / htmx call, uncaught error and
// unhandled rejection becomes a report to POST /api/incidents, carrying what the person saw, the
// request (method, URL, status, X-Request-ID), the raw error payload, the entity ids of the element
// that acted (data-entity="kind:id" on it or its ancestors) and the last few UI actions.
//
// Rules: it never throws, never reports its own requests or failures, collapses identical reports
// within a short window, stops after a page budget or a 429, and uses sendBeacon as the page closes.
//
// Pages that show their own message call:
//   window.academyReport({uiMessage, response|xhr, requestId, method, url, status, payload,
//                         element, entities, error})
// (entities: ["student:4"] or {student: 4}: the ones the failing action was about)
// and the report joins the automatic one for the same request (same X-Request-ID).
(function () {
  "use strict";

  var script = document.currentScript;
  var ENDPOINT = (script && script.getAttribute("data-endpoint")) || "/api/incidents";
  var SETTLE_MS = 600; // wait this long for the page to say what it showed the person
  var COLLAPSE_MS = 10000; // identical reports within this window are sent once
  var MAX_PER_PAGE = 25;
  var MAX_TEXT = 8000;
  var MAX_BODY = 30000; // stays under the server's 64 KiB cap even when form-encoded

  var realFetch = window.fetch ? window.fetch.bind(window) : null;
  var XHR = window.XMLHttpRequest;
  var realOpen = XHR && XHR.prototype.open;
  var realSend = XHR && XHR.prototype.send;

  var pending = {};
  var recent = {};
  var crumbs = [];
  var sent = 0;
  var pausedUntil = 0;
  var lastTarget = null;

  function guard(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        return undefined; // the reporter must never be the cause of an error
      }
    };
  }

  function clip(value, n) {
    var s = value == null ? "" : String(value);
    return s.length > n ? s.slice(0, n - 1) + "\u2026" : s;
  }

  function absolute(url) {
    try {
      return new URL(url, location.href).href;
    } catch (e) {
      return String(url);
    }
  }

  function isOwn(url) {
    try {
      return new URL(url, location.href).pathname === new URL(ENDPOINT, location.href).pathname;
    } catch (e) {
      return false;
    }
  }

  function csrfToken() {
    // ui/app.js defines it (loaded before this script on every page); never throw without it.
    return window.academyCsrfToken ? window.academyCsrfToken() : "";
  }

  function entitiesFor(element) {
    var found = [];
    var el = element && element.nodeType === 1 ? element : null;
    while (el && el !== document.documentElement) {
      var ref = el.getAttribute && el.getAttribute("data-entity");
      if (ref && found.indexOf(ref) < 0) found.push(ref);
      el = el.parentElement;
    }
    // Only what the acting element sits in: the row, the form, the page head it belongs to.
    // Not every entity the page shows (a list page declares dozens); the server adds the ids of
    // the request's own URL.
    return found.filter(function (r) { return /^[a-z_]{1,32}:[A-Za-z0-9_-]{1,64}$/.test(r); }).slice(0, 20);
  }

  function describe(el) {
    var label = el.getAttribute("aria-label") || el.getAttribute("title") || el.textContent || el.name || "";
    return el.tagName.toLowerCase() + ' "' + clip(label.replace(/\s+/g, " ").trim(), 40) + '"';
  }

  function crumb(text) {
    crumbs.push(new Date().toISOString().slice(11, 19) + " " + clip(text, 150));
    if (crumbs.length > 10) crumbs.shift();
  }

  function parsePayload(text) {
    if (text == null || text === "") return null;
    try {
      return JSON.parse(text);
    } catch (e) {
      return clip(text, MAX_TEXT);
    }
  }

  function keyFor(requestId, method, url) {
    return requestId ? "rid:" + requestId : "net:" + (method || "GET") + " " + absolute(url || "");
  }

  function merge(into, extra) {
    if (extra.ui_message) into.ui_message = extra.ui_message;
    if (extra.entities && extra.entities.length) {
      into.entities = extra.entities.concat((into.entities || []).filter(function (r) {
        return extra.entities.indexOf(r) < 0;
      })).slice(0, 20);
    }
    if (into.response == null && extra.response != null) into.response = extra.response;
    if (!into.error && extra.error) into.error = extra.error;
    if (extra.request) {
      into.request = into.request || {};
      for (var k in extra.request) {
        if (into.request[k] == null || into.request[k] === "") into.request[k] = extra.request[k];
      }
    }
  }

  // Reports wait briefly under a key (the request id) so that the automatic capture, the htmx
  // event and the page's own academyReport() call for one request become one report.
  function enqueue(key, report) {
    var entry = pending[key];
    if (entry) {
      merge(entry.report, report);
      return;
    }
    pending[key] = { report: report, timer: setTimeout(function () { flush(key, false); }, SETTLE_MS) };
  }

  var flush = guard(function (key, closing) {
    var entry = pending[key];
    if (!entry) return;
    delete pending[key];
    clearTimeout(entry.timer);
    send(entry.report, closing);
  });

  var flushAll = guard(function () {
    Object.keys(pending).forEach(function (key) { flush(key, true); });
  });

  function signature(report) {
    var r = report.request || {};
    return [report.kind, r.method, r.url, r.status, report.ui_message, report.error && report.error.message].join("|");
  }

  var send = guard(function (report, closing) {
    var now = Date.now();
    if (sent >= MAX_PER_PAGE || now < pausedUntil) return;
    var sig = signature(report);
    if (recent[sig] && now - recent[sig] < COLLAPSE_MS) return;
    recent[sig] = now;
    sent += 1;
    report.page_url = clip(location.href, 2000);
    report.breadcrumbs = crumbs.slice();
    if (!report.ui_message) delete report.ui_message;
    var body = JSON.stringify(report);
    if (body.length > MAX_BODY) {
      report.response = clip(JSON.stringify(report.response), 2000);
      if (report.error && report.error.stack) report.error.stack = clip(report.error.stack, 2000);
      body = JSON.stringify(report);
    }
    var token = csrfToken();
    if (closing && navigator.sendBeacon) {
      // A beacon cannot carry headers: the CSRF token travels as a form field.
      var form = new URLSearchParams();
      form.set("csrfmiddlewaretoken", token);
      form.set("report", body);
      navigator.sendBeacon(ENDPOINT, form);
      return;
    }
    if (!realFetch) return;
    realFetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body,
    }).then(function (response) {
      if (response.status === 429 || response.status === 403) {
        var wait = parseInt(response.headers.get("Retry-After") || "60", 10);
        pausedUntil = Date.now() + (isNaN(wait) ? 60 : wait) * 1000;
      }
    }).catch(function () { /* swallowed: a failed report is never shown, never retried */ });
  });

  function httpReport(method, url, status, requestId, payload, element) {
    return {
      kind: status ? "http" : "network",
      request: { method: method, url: clip(absolute(url), 2000), status: status || 0, request_id: requestId || "" },
      response: payload,
      entities: entitiesFor(element),
    };
  }

  // --- public API -----------------------------------------------------------------------------
  window.academyReport = guard(function (details) {
    details = details || {};
    var source = details.response || details.xhr || null;
    var requestId = details.requestId || "";
    var status = details.status;
    var method = details.method;
    var url = details.url;
    if (source && typeof source.getResponseHeader === "function") { // XMLHttpRequest
      requestId = requestId || source.getResponseHeader("X-Request-ID") || "";
      status = status != null ? status : source.status;
      var info = source.__academy || {};
      method = method || info.method;
      url = url || info.url || source.responseURL;
    } else if (source && source.headers && typeof source.headers.get === "function") { // Response
      requestId = requestId || source.headers.get("X-Request-ID") || "";
      status = status != null ? status : source.status;
      url = url || source.url;
    }
    var element = details.element || lastTarget;
    var report;
    if (details.error && !url) {
      var err = details.error;
      report = {
        kind: "js",
        error: { name: clip(err.name || "Error", 200), message: clip(err.message || err, 2000), stack: clip(err.stack, MAX_TEXT) },
        entities: entitiesFor(element),
      };
    } else {
      report = httpReport((method || "GET").toUpperCase(), url || location.href, status, requestId,
        details.payload != null ? details.payload : null, element);
    }
    // Entities as ["student:4", ...] or as {student: 4, homework: 9} (what the upload form sends).
    var given = details.entities;
    if (given && !Array.isArray(given) && typeof given === "object") {
      given = Object.keys(given).filter(function (kind) { return given[kind] != null && given[kind] !== ""; })
        .map(function (kind) { return kind + ":" + given[kind]; });
    }
    if (given && given.length) merge(report, { entities: given });
    report.ui_message = clip(details.uiMessage || "", 2000);
    enqueue(keyFor(requestId, (method || "GET").toUpperCase(), url), report);
  });

  // --- UI actions (breadcrumbs) and the element that triggered a request ---------------------
  document.addEventListener("click", guard(function (event) {
    var el = event.target && event.target.closest && event.target.closest("a,button,summary,label,[role=button],input[type=submit]");
    if (!el) return;
    lastTarget = el;
    crumb("click " + describe(el));
  }), true);
  document.addEventListener("submit", guard(function (event) {
    lastTarget = event.target;
    crumb("submit form " + clip(new URL(event.target.action || location.href, location.href).pathname, 100));
  }), true);
  crumb("open " + location.pathname);

  // --- fetch ----------------------------------------------------------------------------------
  if (realFetch) {
    window.fetch = function (input, init) {
      var promise = realFetch(input, init);
      guard(function () {
        var method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
        var url = typeof input === "string" ? input : (input && input.url) || String(input);
        if (isOwn(url)) return;
        var element = lastTarget;
        promise.then(guard(function (response) {
          if (response.ok || response.type === "opaque") return;
          var requestId = response.headers.get("X-Request-ID") || "";
          response.clone().text().then(guard(function (text) {
            enqueue(keyFor(requestId, method, url),
              httpReport(method, url, response.status, requestId, parsePayload(clip(text, MAX_TEXT)), element));
          }), function () {});
        }), guard(function (error) {
          if (error && error.name === "AbortError") return;
          var report = httpReport(method, url, 0, "", null, element);
          report.error = { name: clip(error && error.name, 200), message: clip(error && error.message, 2000) };
          enqueue(keyFor("", method, url), report);
        }));
      })();
      return promise;
    };
  }

  // --- XMLHttpRequest (uploads with progress, and htmx itself) --------------------------------
  if (XHR && realOpen && realSend) {
    XHR.prototype.open = function (method, url) {
      try {
        this.__academy = { method: String(method || "GET").toUpperCase(), url: String(url) };
      } catch (e) { /* ignore */ }
      return realOpen.apply(this, arguments);
    };
    XHR.prototype.send = function () {
      var xhr = this;
      guard(function () {
        var info = xhr.__academy;
        if (!info || isOwn(info.url) || info.watched) return;
        info.watched = true;
        info.element = lastTarget;
        xhr.addEventListener("abort", function () { info.aborted = true; });
        xhr.addEventListener("loadend", guard(function () {
          if (info.aborted || (xhr.status > 0 && xhr.status < 400)) return;
          var requestId = xhr.status ? xhr.getResponseHeader("X-Request-ID") || "" : "";
          var payload = null;
          if (xhr.responseType === "" || xhr.responseType === "text") payload = parsePayload(clip(xhr.responseText, MAX_TEXT));
          else if (xhr.responseType === "json") payload = xhr.response;
          enqueue(keyFor(requestId, info.method, info.url),
            httpReport(info.method, info.url, xhr.status, requestId, payload, info.element));
        }));
      })();
      return realSend.apply(this, arguments);
    };
  }

  // --- htmx: app.js has already put the message it showed on event.detail.uiMessage ----------
  function onHtmxError(event) {
    var detail = event.detail || {};
    var xhr = detail.xhr;
    var info = (xhr && xhr.__academy) || {};
    var requestId = xhr && xhr.status ? xhr.getResponseHeader("X-Request-ID") || "" : "";
    var message = detail.uiMessage || (window.academyErrorMessage && xhr ? window.academyErrorMessage(xhr) : "");
    var report = httpReport(info.method || "GET", info.url || (detail.pathInfo && detail.pathInfo.requestPath) || location.href,
      xhr ? xhr.status : 0, requestId, xhr && xhr.status ? parsePayload(clip(xhr.responseText, MAX_TEXT)) : null, detail.elt);
    report.ui_message = clip(message, 2000);
    enqueue(keyFor(requestId, info.method, info.url), report);
  }
  document.addEventListener("htmx:responseError", guard(onHtmxError));
  document.addEventListener("htmx:sendError", guard(onHtmxError));

  // --- uncaught errors and unhandled rejections -----------------------------------------------
  window.addEventListener("error", guard(function (event) {
    if (event.target && event.target !== window) return; // a failed <img>/<script> load, not code
    var err = event.error || {};
    enqueue("js:" + (event.message || err.message), {
      kind: "js",
      error: {
        name: clip(err.name || "Error", 200),
        message: clip(event.message || err.message || "Script error", 2000),
        stack: clip(err.stack || (event.filename ? event.filename + ":" + event.lineno + ":" + event.colno : ""), MAX_TEXT),
      },
      entities: entitiesFor(lastTarget),
    });
  }));
  window.addEventListener("unhandledrejection", guard(function (event) {
    var reason = event.reason;
    var message = reason && reason.message ? reason.message : clip(typeof reason === "string" ? reason : JSON.stringify(reason), 2000);
    enqueue("rejection:" + message, {
      kind: "rejection",
      error: { name: clip((reason && reason.name) || "UnhandledRejection", 200), message: clip(message || "Unhandled rejection", 2000), stack: clip(reason && reason.stack, MAX_TEXT) },
      entities: entitiesFor(lastTarget),
    });
  }));

  // --- the page is closing: send what waits, with sendBeacon ----------------------------------
  window.addEventListener("pagehide", flushAll);
  document.addEventListener("visibilitychange", guard(function () {
    if (document.visibilityState === "hidden") flushAll();
  }));
})();
