// Live SLA countdowns: every [data-due] element shows the time left (or overdue).
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function render(el) {
    var left = Math.round((Date.parse(el.dataset.due) - Date.now()) / 1000);
    var late = left < 0;
    var s = Math.abs(left);
    var text = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    el.textContent = late ? "overdue by " + text : text + " left";
    el.classList.toggle("countdown-late", late);
    var row = el.closest("[data-assignment]");
    var badge = row && row.querySelector("[data-overdue-badge]");
    if (badge) { badge.hidden = !late; }
  }
  function tick() { document.querySelectorAll("[data-due]").forEach(render); }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
