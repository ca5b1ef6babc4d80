// Loaded on every page as an ES module. No inline scripts: the Content-Security-Policy forbids them.
import { initAll as initGovuk } from "/static/vendor/govuk/govuk-frontend.min.js";
import { initAll as initMoj } from "/static/vendor/moj/moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initGovuk();
initMoj();
