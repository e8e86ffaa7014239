// Smarketing: small progressive enhancements on top of htmx (no build step).
(function () {
  "use strict";

  // Drop empty filter fields from htmx GET requests so pushed URLs stay short.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") delete params[key];
    });
  });
})();
