// Customers > Homework: one upload session per file, with a progress bar, cancel and a clear
// error per file. Local backend: raw chunks to the app. S3: straight to the bucket with
// presigned PUT (multipart with equal parts for large files); the app then confirms.
(function () {
  "use strict";

  function UploadError(message, status, payload, url, method) {
    this.message = message;
    this.status = status;
    this.payload = payload;
    this.url = url;
    this.method = method;
  }

  // One XHR (so we get upload progress). Resolves with parsed JSON (or null), rejects UploadError.
  function send(job, method, url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open(method, url);
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (onProgress) xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () {
        var payload = null;
        try { payload = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { payload = xhr.responseText; }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(payload);
        var msg = payload && payload.error ? payload.error.message : "The upload failed (HTTP " + xhr.status + ").";
        reject(new UploadError(msg, xhr.status, payload, url, method));
      };
      xhr.onerror = function () { reject(new UploadError("The connection failed; please try again.", 0, null, url, method)); };
      xhr.onabort = function () { reject(new UploadError("Cancelled.", 0, null, url, method)); };
      xhr.send(body);
    });
  }

  function appJson(job, method, url, data) {
    return send(job, method, url, data === undefined ? null : JSON.stringify(data), {
      "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": window.academyCsrfToken()
    });
  }

  function row(list, file) {
    var li = document.createElement("li");
    li.className = "upload-item";
    li.setAttribute("data-upload", file.name);
    var name = document.createElement("span"); name.textContent = file.name;
    var bar = document.createElement("progress"); bar.className = "progress"; bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress for " + file.name);
    var state = document.createElement("span"); state.className = "small muted"; state.setAttribute("data-role", "state"); state.textContent = "Waiting";
    var cancel = document.createElement("button"); cancel.type = "button"; cancel.className = "icon-button";
    cancel.setAttribute("aria-label", "Cancel " + file.name); cancel.title = "Cancel"; cancel.textContent = "×";
    var error = document.createElement("p"); error.className = "alert alert-error"; error.setAttribute("data-role", "error"); error.hidden = true;
    li.append(name, " ", state, bar, cancel, error);
    list.appendChild(li);
    return { li: li, bar: bar, state: state, cancel: cancel, error: error };
  }

  function uploadOne(form, file, job) {
    var base = form.getAttribute("data-create-url");
    var ui = job.ui;
    var progress = function (done) { ui.bar.value = Math.min(100, Math.floor(100 * done / Math.max(file.size, 1))); };
    ui.state.textContent = "Uploading";
    return appJson(job, "POST", base, {
      student: form.elements["student"].value, title: form.elements["title"].value, homework: form._homework || null,
      task: form.elements["task"] ? form.elements["task"].value || null : null,
      name: file.name, size: file.size, type: file.type || ""
    }).then(function (plan) {
      job.plan = plan;
      form._homework = plan.homework;
      ui.li.setAttribute("data-entity", "homework:" + plan.homework);
      var sessionUrl = base + plan.id + "/";
      var chain;
      if (plan.backend === "local") {
        chain = Promise.resolve(0);
        var step = function (offset) {
          if (offset >= file.size) return Promise.resolve();
          var end = Math.min(offset + plan.chunk_size, file.size);
          return send(job, "POST", sessionUrl + "chunk/?offset=" + offset, file.slice(offset, end, "application/octet-stream"), {
            "Content-Type": "application/octet-stream", "Accept": "application/json", "X-CSRFToken": window.academyCsrfToken()
          }, function (loaded) { progress(offset + loaded); }).then(function () { return step(end); });
        };
        chain = step(0);
      } else if (plan.put_url) {
        chain = send(job, "PUT", plan.put_url, file, { "Content-Type": plan.content_type || "application/octet-stream" }, progress);
      } else {
        var partStep = function (i) {
          if (i >= plan.part_urls.length) return Promise.resolve();
          var start = i * plan.part_size, end = Math.min(start + plan.part_size, file.size);
          return send(job, "PUT", plan.part_urls[i], file.slice(start, end, ""), {},
            function (loaded) { progress(start + loaded); }).then(function () { return partStep(i + 1); });
        };
        chain = partStep(0);
      }
      return chain.then(function () {
        ui.state.textContent = "Checking";
        return appJson(job, "POST", sessionUrl + "complete/");
      });
    }).then(function (result) {
      ui.bar.value = 100;
      ui.state.textContent = result.kind === "video" ? "Handed in · processing" : "Handed in";
      ui.li.setAttribute("data-state", "done");
      ui.cancel.hidden = true;
    });
  }

  function fail(form, job, err) {
    var ui = job.ui;
    ui.li.setAttribute("data-state", job.cancelled ? "cancelled" : "failed");
    ui.cancel.hidden = true;
    if (job.plan && job.plan.id) {
      // Leave nothing partial behind (the server also refuses and cleans up on its side).
      appJson({}, "POST", form.getAttribute("data-create-url") + job.plan.id + "/abort/").catch(function () {});
    }
    if (job.cancelled) { ui.state.textContent = "Cancelled"; return; }
    ui.state.textContent = "Failed";
    ui.error.textContent = (err && err.message) || "The upload failed.";
    ui.error.hidden = false;
    if (window.academyReport) {
      var payload = err && err.payload;
      var requestId = payload && payload.error ? payload.error.request_id : undefined;
      var entities = { student: Number(form.elements["student"].value) };
      if (job.plan && job.plan.homework) entities.homework = job.plan.homework;
      window.academyReport({
        uiMessage: ui.error.textContent, method: err && err.method, url: err && err.url,
        status: err && err.status, payload: payload, requestId: requestId, entities: entities
      });
    }
  }

  function humanSize(bytes) {
    var units = ["B", "KB", "MB", "GB"], size = bytes, i = 0;
    while (size >= 1024 && i < units.length - 1) { size /= 1024; i++; }
    return i === 0 ? size + " B" : size.toFixed(1) + " " + units[i];
  }

  function joinNames(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  // The files chosen (by the picker or dropped), named with their sizes inside the drop zone.
  function showChosen(form) {
    var list = form.querySelector("[data-role=chosen]");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(form.elements["files"].files || [], function (file) {
      var li = document.createElement("li");
      li.textContent = file.name + " · " + humanSize(file.size);
      list.appendChild(li);
    });
  }

  function setUpDropzone(form) {
    var zone = form.querySelector("[data-dropzone]");
    var input = form.elements["files"];
    if (!zone || !input) return;
    var depth = 0;
    zone.addEventListener("dragenter", function (e) { e.preventDefault(); depth++; zone.classList.add("is-over"); });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; });
    zone.addEventListener("dragleave", function () { depth = Math.max(0, depth - 1); if (!depth) zone.classList.remove("is-over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      depth = 0;
      zone.classList.remove("is-over");
      if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    input.addEventListener("change", function () { showChosen(form); });
  }

  // The handed-in homework's card, fresh from the server, at the top of the "Handed in" list (or
  // in place of its older self). While a video is processing the card polls itself (htmx).
  function showCard(form, homeworkId) {
    var url = form.getAttribute("data-card-url").replace(/\/0\/card\/$/, "/" + homeworkId + "/card/");
    return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var box = document.getElementById("handed-in");
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var card = holder.firstElementChild;
      var old = box.querySelector('[data-entity="homework:' + homeworkId + '"]');
      if (old) old.replaceWith(card); else box.insertBefore(card, box.firstElementChild);
      var empty = box.querySelector("[data-role=nothing-yet]");
      if (empty) empty.hidden = true;
      if (window.htmx) window.htmx.process(card);
      return card;
    });
  }

  function chosenLabel(select) {
    var option = select && select.selectedOptions ? select.selectedOptions[0] : null;
    return option && option.value ? option.textContent : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("homework-upload");
    if (!form) return;
    var list = document.getElementById("upload-list");
    var formError = form.querySelector("[data-role=form-error]");
    var message = document.querySelector("[data-role=handed-in-message]");
    var submit = form.querySelector("button[type=submit]");
    setUpDropzone(form);
    // The task picker offers only the chosen student's tasks.
    var studentSelect = form.elements["student"], taskSelect = form.elements["task"];
    function showTasksOfStudent() {
      if (!taskSelect) return;
      Array.prototype.forEach.call(taskSelect.options, function (option) {
        var other = option.value && option.getAttribute("data-student") !== studentSelect.value;
        option.hidden = other; option.disabled = other;
      });
      if (taskSelect.selectedOptions[0] && taskSelect.selectedOptions[0].disabled) taskSelect.value = "";
    }
    studentSelect.addEventListener("change", showTasksOfStudent);
    showTasksOfStudent();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      formError.hidden = true;
      var files = Array.prototype.slice.call(form.elements["files"].files || []);
      var task = form.elements["task"];
      if (!form.elements["title"].value.trim() && !(task && task.value)) { formError.textContent = "Pick one of the student's tasks or give the homework a title."; formError.hidden = false; return; }
      if (!files.length) { formError.textContent = "Choose at least one file."; formError.hidden = false; return; }
      // What is being handed in, as the person chose it (the form is reset once it is done).
      var title = form.elements["title"].value.trim() || chosenLabel(task);
      var studentName = chosenLabel(studentSelect);
      message.hidden = true;
      list.querySelectorAll('.upload-item[data-state="done"]').forEach(function (li) { li.remove(); });
      submit.disabled = true;
      form._homework = null;
      var jobs = files.map(function (file) {
        var job = { file: file, ui: row(list, file), cancelled: false, done: false };
        job.ui.cancel.addEventListener("click", function () {
          job.cancelled = true;
          if (job.xhr) job.xhr.abort();
        });
        return job;
      });
      // One file after another: the first creates the homework, the rest join it.
      jobs.reduce(function (prev, job) {
        return prev.then(function () {
          if (job.cancelled) return fail(form, job, null);
          return uploadOne(form, job.file, job).then(function () { job.done = true; })
            .catch(function (err) { fail(form, job, err); });
        });
      }, Promise.resolve()).then(function () {
        submit.disabled = false;
        var done = jobs.filter(function (j) { return j.done; }).map(function (j) { return j.file.name; });
        var failed = jobs.length - done.length;
        if (!done.length) return;  // every file says why beside it; the form keeps what was chosen
        var text = "Handed in “" + title + "” for " + studentName + ": " + joinNames(done) + ".";
        if (failed) text += " " + failed + (failed === 1 ? " file was" : " files were") + " not handed in; see below.";
        message.textContent = text;
        message.hidden = false;
        // No duplicate one click away: the form starts afresh (the student stays chosen).
        form.elements["title"].value = "";
        if (task) task.value = "";
        form.elements["files"].value = "";
        showChosen(form);
        var homeworkId = form._homework;
        form._homework = null;
        return showCard(form, homeworkId).then(function () {
          // The card now shows these files; their progress rows have said all they had to say.
          jobs.forEach(function (j) { if (j.done) j.ui.li.remove(); });
        }).catch(function () {
          message.textContent = text + " Reload the page to see it in the list.";
        });
      });
    });
  });
})();
