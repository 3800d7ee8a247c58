// Swagger UI's start-up for the site's /docs/: the API browser over the
// workers' description, /openapi.json on the same host. It replaces the
// file of the same name in npm's swagger-ui-dist (nginx/mongoalchemy.conf).
window.onload = function () {
	window.ui = SwaggerUIBundle({
		url: new URL("../openapi.json", window.location.href).href,
		dom_id: "#swagger-ui",
		deepLinking: true,
		presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
		layout: "StandaloneLayout",
	});
};
