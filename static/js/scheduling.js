/* Scheduling pages: progressive enhancement only (every form also works without it).
   - request form: show only the fields that apply, and check the days as they are filled in
     by fetching the server-rendered preview fragment (no inline script, CSP-friendly), repeating
     the document it says is required next to the file field;
   - inbox: "select all" for the bulk decision, and focus on the first item a decision failed on. */
(function () {
  "use strict";

  var PREVIEW_FIELDS = ["kind", "date_mode", "date", "start", "end", "weekdays", "special_circumstance"];

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function radioValue(form, name, fallback) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : fallback;
  }

  function syncVisibility(form) {
    var kind = form.elements.kind.value;
    var mode = radioValue(form, "date_mode", "single");
    var special = form.elements.special_circumstance.checked;
    all("[data-show-kind]", form).forEach(function (el) {
      el.hidden = el.getAttribute("data-show-kind").split(" ").indexOf(kind) === -1;
    });
    all("[data-show-mode]", form).forEach(function (el) {
      el.hidden = el.getAttribute("data-show-mode").split(" ").indexOf(mode) === -1;
    });
    all("[data-show-special]", form).forEach(function (el) { el.hidden = !special; });
  }

  function queryOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && key !== "csrfmiddlewaretoken" && PREVIEW_FIELDS.indexOf(key) !== -1) {
        params.append(key, value);
      }
    });
    return params.toString();
  }

  // The document the chosen kind and days require, repeated next to the file field.
  function showDocumentHint(form, preview) {
    var hint = form.querySelector("[data-document-hint]");
    if (!hint) { return; }
    var required = preview.querySelector("[data-document-required]");
    hint.innerHTML = required ? required.innerHTML : "";  // copied from the server-escaped fragment
    hint.hidden = !required;
  }

  function initRequestForm() {
    var form = document.getElementById("request-form");
    var preview = document.getElementById("preview");
    if (!form || !preview) { return; }
    var url = preview.getAttribute("data-preview-url");
    var timer = null;
    var sequence = 0;

    function refresh() {
      var mine = ++sequence;
      preview.setAttribute("aria-busy", "true");
      fetch(url + "?" + queryOf(form), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          if (mine === sequence) {
            preview.innerHTML = html;  // our own server-escaped fragment
            showDocumentHint(form, preview);
          }
        })
        .catch(function () {
          if (mine === sequence) { preview.textContent = preview.getAttribute("data-error-text"); }
        })
        .then(function () {
          if (mine === sequence) { preview.removeAttribute("aria-busy"); }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 350);
    }

    function onEdit(event) {
      syncVisibility(form);
      if (PREVIEW_FIELDS.indexOf(event.target.name) !== -1) { schedule(); }
    }

    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);

    // "Nearest days that would pass": one click asks for that day instead.
    preview.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-date]");
      if (!button) { return; }
      var single = form.querySelector("input[name='date_mode'][value='single']");
      if (single) { single.checked = true; }
      form.elements.date.value = button.getAttribute("data-pick-date");
      syncVisibility(form);
      refresh();
      form.elements.date.focus();
    });

    syncVisibility(form);
    if (form.elements.kind.value && !preview.querySelector(".checks")) { refresh(); }
  }

  // After a refused decision the page comes back with the error on the item: move keyboard focus
  // there (the server marks it with autofocus too; this covers browsers that ignore autofocus on
  // a re-rendered page) and bring it into view.
  function focusFirstError() {
    var target = document.querySelector("[data-error-focus]");
    if (!target) { return; }
    if (document.activeElement !== target) { target.focus(); }
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }

  function initInbox() {
    focusFirstError();
    var selectAll = document.getElementById("select-all");
    if (!selectAll) { return; }
    // Cards approval would refuse have their box disabled: "select all" leaves them alone.
    var boxes = all("input[name='days'][form='bulk-form']").filter(function (b) { return !b.disabled; });
    var count = document.getElementById("selected-count");
    var template = count ? count.getAttribute("data-template") : null;
    all("[data-js-only]").forEach(function (el) { el.hidden = false; });

    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      selectAll.checked = n > 0 && n === boxes.length;
      selectAll.indeterminate = n > 0 && n < boxes.length;
      if (count && template) { count.textContent = template.replace("{n}", String(n)); }
    }

    selectAll.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = selectAll.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  function init() {
    initRequestForm();
    initInbox();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
