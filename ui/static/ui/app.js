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

  // The CSRF token for a fetch: the one the page rendered into <body hx-headers> (htmx sends it
  // too), else the cookie. The one definition; incidents, media and homework scripts call it.
  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.academyCsrfToken = csrfToken;

  document.addEventListener("htmx:responseError", function (event) {
    var message = errorMessage(event.detail.xhr);
    event.detail.uiMessage = message;
    showToast(message, "error");
  });
  document.addEventListener("htmx:sendError", function (event) {
    event.detail.uiMessage = "The server could not be reached. Check your connection and try again.";
    showToast(event.detail.uiMessage, "error");
  });

  // The picker (ui/picker.py: students, parents): a suggestion's button adds the person as a chip
  // (a hidden input the form sends), a chip's button removes it; the status line tells a screen
  // reader what happened, and focus goes back to the search box for the next name.
  function pickerSay(picker, text) {
    var status = picker.querySelector("[data-picker-status]");
    if (status) status.textContent = text;
  }
  function pickerNone(picker) {
    var none = picker.querySelector("[data-picker-none]");
    if (none) none.hidden = picker.querySelectorAll(".chips .chip").length > 0;
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-pick]");
    var remove = event.target.closest("[data-remove]");
    var picker = (add || remove) && (add || remove).closest("[data-picker]");
    if (!picker) return;
    var search = picker.querySelector("input[type=search]");
    if (add) {
      var id = add.getAttribute("data-pick");
      var name = add.getAttribute("data-name");
      if (picker.querySelector('.chip[data-chosen="' + id + '"]')) {
        pickerSay(picker, name + " is already chosen.");
      } else {
        var chip = picker.querySelector("template[data-chip-template]").content.firstElementChild.cloneNode(true);
        chip.setAttribute("data-chosen", id);
        chip.querySelector("input").value = id;
        chip.querySelector("span").textContent = name;
        var button = chip.querySelector("button");
        button.setAttribute("aria-label", "Remove " + name);
        button.setAttribute("title", "Remove " + name);
        picker.querySelector(".chips").appendChild(chip);
        add.closest("li").remove();
        pickerSay(picker, name + " added.");
      }
    } else {
      var gone = remove.closest(".chip");
      pickerSay(picker, gone.querySelector("span").textContent + " removed.");
      gone.remove();
    }
    pickerNone(picker);
    if (search) search.focus();
  });
  // In the search box, Enter (or the down arrow) goes to the first person found rather than
  // sending the half-filled form.
  document.addEventListener("keydown", function (event) {
    var search = event.target.closest && event.target.closest("[data-picker] input[type=search]");
    if (!search || (event.key !== "Enter" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    var first = search.closest("[data-picker]").querySelector("[data-pick]");
    if (first) first.focus();
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
    // <button data-confirm="text"> asks before its form is sent. In a bulk form, "{count}" becomes
    // the number of rows ticked (with data-confirm-noun: "3 jobs") and "{consequences}" what
    // follows for those rows (each row's attribute named by data-consequence-key).
    document.querySelectorAll("button[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var text = button.getAttribute("data-confirm");
        if (text.indexOf("{count}") >= 0 && button.form) {
          var ticked = Array.prototype.slice.call(button.form.querySelectorAll("input[type=checkbox][name]:checked"));
          var noun = button.getAttribute("data-confirm-noun") || "item";
          if (!ticked.length) {
            event.preventDefault();
            window.alert("Select at least one " + noun + " first.");
            return;
          }
          var key = button.getAttribute("data-consequence-key");
          var notes = [];
          ticked.forEach(function (box) {
            var row = key && box.closest("[" + key + "]");
            var note = row && row.getAttribute(key);
            if (note && notes.indexOf(note) < 0) notes.push(note);
          });
          var count = ticked.length === 1 ? "1 " + noun : ticked.length + " " + noun + "s";
          text = text.replace("{count}", count).replace("{consequences}", notes.join(" "));
        }
        if (!window.confirm(text)) event.preventDefault();
      });
    });
    // A table wider than the screen scrolls in its own box: keyboard users must reach it too.
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) return;
      var heading = wrap.closest("section, .card, main");
      heading = heading && heading.querySelector("h1, h2");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") + "table, scrolls sideways");
    });
    // data-place="top height left width" (percentages): calendar boxes. Set here because the
    // content security policy refuses inline style attributes; the CSSOM is allowed.
    document.querySelectorAll("[data-place]").forEach(function (box) {
      var p = box.getAttribute("data-place").split(" ");
      box.style.top = p[0] + "%";
      box.style.height = p[1] + "%";
      box.style.left = p[2] + "%";
      box.style.width = p[3] + "%";
    });
    // <form data-confirm="text"> asks before submitting.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
