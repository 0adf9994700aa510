// Record-a-signal form: show only the source fields of the chosen channel (all show without JS).
(function () {
  "use strict";
  var box = document.getElementById("source-fields");
  var select = document.querySelector(".js-channel select");
  if (!box || !select) { return; }
  var byChannel = JSON.parse(box.getAttribute("data-fields") || "{}");
  function update() {
    var wanted = byChannel[select.value] || [];
    box.querySelectorAll(".src").forEach(function (el) {
      var key = Array.prototype.find.call(el.classList, function (c) { return c.indexOf("src-") === 0; });
      el.hidden = wanted.indexOf(key.slice(4)) === -1;
    });
    box.hidden = wanted.length === 0;
  }
  select.addEventListener("change", update);
  update();
})();
