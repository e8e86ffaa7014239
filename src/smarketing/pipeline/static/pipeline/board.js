// The deal board: drag a card to another column to move the deal (via htmx).
// A drop on a lost column asks for the lost reason first. No build step.
(function () {
  "use strict";

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); }
    catch (e) { return {}; }
  }

  function post(dealId, values) {
    var board = document.getElementById("board");
    var query = board ? board.getAttribute("data-query") : "";
    window.htmx.ajax("POST", "/deals/" + dealId + "/move/" + (query ? "?" + query : ""), {
      target: "#board", swap: "innerHTML", values: values, headers: csrfHeaders()
    });
  }

  function askLostReason(dealId, stageId) {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog) return;
    dialog.querySelector("[name=deal]").value = dealId;
    dialog.querySelector("[name=stage]").value = stageId;
    dialog.showModal();
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-deal]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal"));
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    var dealId = event.dataTransfer.getData("text/plain");
    if (!dealId) return;
    var stageId = column.getAttribute("data-stage");
    if (column.getAttribute("data-lost") === "true") askLostReason(dealId, stageId);
    else post(dealId, { stage: stageId });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "lost-form") return;
    event.preventDefault();
    var data = new FormData(form);
    post(data.get("deal"), {
      stage: data.get("stage"), lost_reason: data.get("lost_reason"), lost_note: data.get("lost_note")
    });
    document.getElementById("lost-dialog").close();
  });
})();
