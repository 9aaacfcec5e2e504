// Academy: small progressive enhancements, no build step.
(function () {
  "use strict";

  function showToast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (kind || "info");
    toast.textContent = text;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 6000);
  }
  window.academyToast = showToast;

  // Error responses of htmx calls follow the contract {"error": {"code", "message", "request_id"}}:
  // show the message a person understands.
  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (e) { /* not JSON */ }
    return "That did not work (" + (xhr.status || "network error") + "). Please try again.";
  }
  window.academyErrorMessage = errorMessage;

  document.addEventListener("htmx:responseError", function (event) {
    var message = errorMessage(event.detail.xhr);
    event.detail.uiMessage = message;
    showToast(message, "error");
  });
  document.addEventListener("htmx:sendError", function (event) {
    event.detail.uiMessage = "The server could not be reached. Check your connection and try again.";
    showToast(event.detail.uiMessage, "error");
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toasts .toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 6000);
    });
    var toggle = document.querySelector("[data-nav-toggle]");
    var sidebar = document.getElementById("sidebar");
    // On a narrow screen the menu is a drawer: a backdrop and a close button (and Escape) close it.
    if (toggle && sidebar) {
      var setOpen = function (open) {
        sidebar.classList.toggle("open", open);
        document.body.classList.toggle("nav-open", open);
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        var close = sidebar.querySelector("[data-nav-close]");
        if (open && close) close.focus();
      };
      toggle.addEventListener("click", function () { setOpen(!sidebar.classList.contains("open")); });
      document.querySelectorAll("[data-nav-close]").forEach(function (el) {
        el.addEventListener("click", function () { setOpen(false); toggle.focus(); });
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && sidebar.classList.contains("open")) { setOpen(false); toggle.focus(); }
      });
    }
    // <button data-confirm-dialog="id"> opens the <dialog id="id"> confirmation.
    document.querySelectorAll("[data-confirm-dialog]").forEach(function (button) {
      button.addEventListener("click", function () {
        var dialog = document.getElementById(button.getAttribute("data-confirm-dialog"));
        if (dialog && dialog.showModal) dialog.showModal();
      });
    });
    document.querySelectorAll("dialog [data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
    // <form data-confirm="text"> asks before submitting.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
