// Loaded on every page. No inline scripts: the Content-Security-Policy forbids them.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
if (window.GOVUKFrontend) window.GOVUKFrontend.initAll();
if (window.MOJFrontend) window.MOJFrontend.initAll();
