/* Starts Swagger UI for /api/v1/docs (an external file: the CSP allows no inline script). */
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  if (!container || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var config = {
    url: container.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui-container",
    deepLinking: true,
    validatorUrl: null,
    withCredentials: true
  };
  try {
    var extra = JSON.parse(container.getAttribute("data-config") || "{}");
    Object.keys(extra).forEach(function (key) { config[key] = extra[key]; });
  } catch (err) {
    /* a malformed OPENAPI_SWAGGER_UI_CONFIG is ignored */
  }
  config.presets = [window.SwaggerUIBundle.presets.apis];
  window.ui = window.SwaggerUIBundle(config);
})();
