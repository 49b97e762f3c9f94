/* Starts Swagger UI on /docs (a file of its own: the desk's Content-Security-Policy allows no inline script). */
window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true,
  validatorUrl: null,  // no badge from validator.swagger.io: nothing leaves the desk
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
});
