// Forecast charts (Chart.js, vendored): stacked categories per owner with the
// P10-P90 interval as a floating bar and P50 / quota as markers; and last
// quarter's weekly forecasts against the actual.
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function num(values) { return values.map(function (v) { return v === null ? null : Number(v); }); }

  function ownersChart(data) {
    var canvas = document.getElementById("forecast-chart");
    if (!canvas || !data || !data.labels.length) return;
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Closed won", data: num(data.closed_won), stack: "c", backgroundColor: "#2b8a3e" },
          { type: "bar", label: "Commit", data: num(data.commit), stack: "c", backgroundColor: "#3b5bdb" },
          { type: "bar", label: "Best case", data: num(data.best_case), stack: "c", backgroundColor: "#91a7ff" },
          { type: "bar", label: "P10–P90", stack: "i", backgroundColor: "rgba(232, 89, 12, 0.35)",
            data: data.interval.map(function (pair) { return [Number(pair[0]), Number(pair[1])]; }) },
          { type: "scatter", label: "P50", data: num(data.p50), backgroundColor: "#d9480f", pointRadius: 5 },
          { type: "scatter", label: "Quota", data: num(data.quota), pointStyle: "line", pointRadius: 14,
            borderColor: "#141b2d", borderWidth: 3 }
        ]
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
    });
  }

  function accuracyChart(data) {
    var canvas = document.getElementById("accuracy-chart");
    if (!canvas || !data || !data.labels.length) return;
    var actual = data.labels.map(function () { return Number(data.actual); });
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "P10–P90", backgroundColor: "rgba(59, 91, 219, 0.25)",
            data: data.interval.map(function (pair) { return [Number(pair[0]), Number(pair[1])]; }) },
          { type: "line", label: "P50", data: num(data.p50), borderColor: "#3b5bdb" },
          { type: "line", label: "Actual", data: actual, borderColor: "#2b8a3e", borderDash: [6, 4], pointRadius: 0 }
        ]
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) return;
    ownersChart(read("forecast-data"));
    accuracyChart(read("accuracy-data"));
  });
})();
