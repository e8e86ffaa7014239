// Campaign charts with the vendored Chart.js: a campaign's daily metrics and costs, and the
// attribution models side by side (one bar group per model, one dataset per key).
(function () {
  "use strict";

  var COLORS = ["#3b5bdb", "#2b8a3e", "#e8590c", "#ae3ec9", "#1098ad", "#f08c00",
                "#c92a2a", "#5c940d", "#495057", "#862e9c"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(JSON.parse(node.textContent)) : null;
  }

  function metricsChart(data) {
    var canvas = document.getElementById("metrics-chart");
    if (!canvas || !data || !data.labels.length) return;
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: "Impressions", data: data.impressions, yAxisID: "y", borderColor: COLORS[0] },
          { type: "line", label: "Clicks", data: data.clicks, yAxisID: "y", borderColor: COLORS[1] },
          { type: "bar", label: "Spend", data: data.spend.map(Number), yAxisID: "money", backgroundColor: "rgba(232, 89, 12, 0.4)" }
        ]
      },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true }, money: { beginAtZero: true, position: "right" } } }
    });
  }

  function costsChart(data) {
    var canvas = document.getElementById("costs-chart");
    if (!canvas || !data || !data.labels.length) return;
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Spend per day", data: data.daily.map(Number), yAxisID: "y", backgroundColor: "rgba(232, 89, 12, 0.5)" },
          { type: "line", label: "Cumulative spend", data: data.cumulative.map(Number), yAxisID: "total", borderColor: COLORS[0], pointRadius: 0 }
        ]
      },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true }, total: { beginAtZero: true, position: "right" } } }
    });
  }

  function attributionChart(data) {
    var canvas = document.getElementById("attribution-chart");
    if (!canvas || !data || !data.keys.length) return;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.models,
        datasets: data.keys.map(function (key, i) {
          return { label: key, data: data.amounts[i].map(Number), backgroundColor: COLORS[i % COLORS.length] };
        })
      },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    });
  }

  function drawAll() {
    if (!window.Chart) return;
    // A section swapped in by HTMX brings a new canvas: forget the charts of removed ones
    // and draw each canvas that has none yet.
    Object.values(window.Chart.instances).forEach(function (chart) {
      if (!chart.canvas.isConnected) chart.destroy();
    });
    [["metrics-chart", metricsChart, "metrics-data"], ["costs-chart", costsChart, "costs-data"],
     ["attribution-chart", attributionChart, "attribution-data"]].forEach(function (c) {
      var canvas = document.getElementById(c[0]);
      if (canvas && !window.Chart.getChart(canvas)) c[1](read(c[2]));
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
