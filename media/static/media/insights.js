// Media insights: optimise buttons. The button hides at once (optimistic); if the backend refuses
// (409 already_queued / already_optimised) or fails, the row shows the message and the button returns.
(function () {
  "use strict";

  function post(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": window.academyCsrfToken(), "Accept": "application/json", "Content-Type": "application/json" },
      body: "{}"
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { /* not JSON */ }
        return { ok: response.ok, status: response.status, body: body, text: text, response: response };
      });
    });
  }

  function messageOf(result) {
    if (result.body && result.body.error && result.body.error.message) return result.body.error.message;
    return "That did not work (" + (result.status || "network error") + "). Please try again.";
  }

  // The incident reporter (incidents/static/incidents/reporter.js): what the person saw joins the
  // automatic report of the same request; entities come from the element's data-entity ancestors.
  function report(url, element, result, message) {
    if (!window.academyReport) return;
    try {
      window.academyReport({
        uiMessage: message,
        response: result.response,
        method: "POST",
        url: url,
        status: result.status || 0,
        payload: result.body || result.text || null,
        requestId: result.body && result.body.error ? result.body.error.request_id : undefined,
        element: element
      });
    } catch (e) { /* reporting must never break the page */ }
  }

  function scopeOf(button) {
    return button.closest("[data-entity]") || document;
  }

  function setState(scope, label, kind) {
    var badge = scope.querySelector("[data-role=state]");
    if (!badge) return;
    badge.textContent = label;
    badge.className = "badge " + (kind || "");
  }

  function setMessage(scope, text, isError) {
    var box = scope.querySelector("[data-role=message]");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("field-error", !!isError);
  }

  // "Optimise all eligible (N)": N follows the rows queued from this page.
  function setEligibleCount(n) {
    var all = document.querySelector("[data-optimise-all]");
    var count = all && all.querySelector("[data-eligible-count]");
    if (!count) return;
    n = Math.max(0, n);
    count.textContent = String(n);
    all.setAttribute("data-count", String(n));
    all.disabled = n === 0;
  }

  function eligibleCount() {
    var all = document.querySelector("[data-optimise-all]");
    return all ? parseInt(all.getAttribute("data-count") || "0", 10) : 0;
  }

  function optimise(button) {
    var url = button.getAttribute("data-optimise");
    var scope = scopeOf(button);
    button.hidden = true; // at once: no double clicks
    setMessage(scope, "", false);
    post(url).then(function (result) {
      if (result.ok) {
        setState(scope, "Queued", "info");
        setMessage(scope, "Queued for optimisation.", false);
        button.remove();
        setEligibleCount(eligibleCount() - 1);
        return;
      }
      var message = messageOf(result);
      var code = result.body && result.body.error ? result.body.error.code : "";
      if (code === "already_queued") setState(scope, "Queued", "info");
      if (code === "already_optimised") setState(scope, "Optimised", "ok");
      setMessage(scope, message, true);
      button.hidden = false;
      report(url, button, result, message);
    }, function () {
      var message = "The server could not be reached. Check your connection and try again.";
      setMessage(scope, message, true);
      button.hidden = false;
      report(url, button, { status: 0 }, message);
    });
  }

  function optimiseAll(button) {
    var url = button.getAttribute("data-optimise-all");
    var n0 = eligibleCount();
    // Costly: every eligible video becomes a job for the worker. Ask first, and say so.
    if (!window.confirm("Optimise " + n0 + (n0 === 1 ? " video" : " videos") + " now? Each becomes a job for the " +
        "worker, which makes a web copy and a poster; the parents' originals are kept.")) return;
    button.disabled = true;
    document.querySelectorAll("[data-optimise]").forEach(function (b) { b.hidden = true; });
    post(url).then(function (result) {
      if (!result.ok) {
        var message = messageOf(result);
        if (window.academyToast) window.academyToast(message, "error");
        document.querySelectorAll("[data-optimise]").forEach(function (b) { b.hidden = false; });
        button.disabled = false;
        report(url, button, result, message);
        return;
      }
      (result.body.queued || []).forEach(function (id) {
        var row = document.querySelector('[data-entity="media:' + id + '"]');
        if (!row) return;
        setState(row, "Queued", "info");
        var b = row.querySelector("[data-optimise]");
        if (b) b.remove();
      });
      document.querySelectorAll("[data-optimise]").forEach(function (b) { b.hidden = false; });
      var n = (result.body.queued || []).length;
      setEligibleCount(document.querySelectorAll("[data-optimise]").length);
      if (window.academyToast) window.academyToast(n + (n === 1 ? " video" : " videos") + " queued for optimisation.", "success");
    }, function () {
      var message = "The server could not be reached. Check your connection and try again.";
      if (window.academyToast) window.academyToast(message, "error");
      document.querySelectorAll("[data-optimise]").forEach(function (b) { b.hidden = false; });
      button.disabled = false;
      report(url, button, { status: 0 }, message);
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-optimise], [data-optimise-all]") : null;
    if (!target) return;
    event.preventDefault();
    if (target.hasAttribute("data-optimise")) optimise(target);
    else optimiseAll(target);
  });
})();
