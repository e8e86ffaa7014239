// Dashboard charts with the vendored Chart.js (static/pipeline/vendor). Each chart is
// described by the server (json_script "dashboard-charts": id, type, labels, datasets);
// every chart's numbers are also in a table on the page. The period picker fills the
// dates when a preset is picked and switches to "custom" when a date is typed.
(function () {
  "use strict";

  var COLORS = ["#3b5bdb", "#2b8a3e", "#e8590c", "#ae3ec9", "#1098ad", "#f08c00"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas || !window.Chart) return;
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, borderColor: COLORS[i % COLORS.length],
                   backgroundColor: COLORS[i % COLORS.length], spanGaps: true };
        })
      },
      options: { maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: spec.datasets.length > 1 } },
                 scales: { y: { beginAtZero: true } } }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function journey(data) {
    if (!data) return;
    draw({ id: "chart-phases", type: "bar", labels: data.phases,
           datasets: [{ label: "Contacts", data: data.counts }] });
    draw({ id: "chart-flows", type: "bar",
           labels: data.flows.map(function (f) { return f.from + " → " + f.to; }),
           datasets: [{ label: "Contacts moved", data: data.flows.map(function (f) { return f.count; }) }] });
  }

  function periodPicker() {
    var select = document.querySelector("[data-period-select]");
    if (!select) return;
    var form = select.form;
    select.addEventListener("change", function () {
      if (select.value !== "custom") {
        form.elements.start.value = "";
        form.elements.end.value = "";
        form.submit();
      }
    });
    ["start", "end"].forEach(function (name) {
      form.elements[name].addEventListener("change", function () { select.value = "custom"; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    (read("dashboard-charts") || []).forEach(draw);
    journey(read("journey-chart"));
    periodPicker();
  });
})();
