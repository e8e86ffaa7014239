// Score distribution chart (Chart.js, vendored under pipeline/vendor).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("distribution-chart");
    var node = document.getElementById("distribution-data");
    if (!canvas || !node || !window.Chart) return;
    var buckets = JSON.parse(node.textContent);
    canvas.dataset.buckets = String(buckets.length);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: buckets.map(function (b) { return b.low + "–" + b.high; }),
        datasets: [{ label: "Contacts", data: buckets.map(function (b) { return b.contacts; }),
                     backgroundColor: "#3b5bdb" }]
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
    });
    canvas.dataset.drawn = "true";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
