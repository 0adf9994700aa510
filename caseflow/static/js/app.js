// caseflow — progressive enhancement only; every page works without it.
(function () {
  "use strict";
  // Confirm dangerous actions: <form data-confirm="...">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Long operations: <form data-busy="message"> shows the message with a progress bar while the server
  // works (a recompute, a publication, an import) and refuses a second submission. The buttons are
  // disabled after the form data is taken, so a clicked button still sends its value.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-busy")) { return; }
    if (form.hasAttribute("data-busy-on")) { event.preventDefault(); return; }
    form.setAttribute("data-busy-on", "");
    var status = document.createElement("div");
    status.className = "busy";
    status.setAttribute("role", "status");
    var bar = document.createElement("progress");  // no value: an indeterminate bar
    var text = document.createElement("span");
    text.textContent = form.getAttribute("data-busy");
    status.appendChild(bar);
    status.appendChild(text);
    form.parentNode.insertBefore(status, form.nextSibling);
    window.setTimeout(function () {
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Back from the next page (restored from the cache): the form may be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll(".busy[role=status]").forEach(function (el) { el.remove(); });
    document.querySelectorAll("form[data-busy-on]").forEach(function (form) {
      form.removeAttribute("data-busy-on");
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
  // Auto-submit filter selects marked data-autosubmit.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
