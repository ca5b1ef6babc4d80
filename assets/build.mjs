// Builds static/vendor and static/css from the pinned npm packages.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/assets/images", "assets/images"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj/moj-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/assets", "assets"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["axe-core/axe.min.js", "axe/axe.min.js"],
];
for (const [from, to] of copies) {
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(join(nm, from), join(vendor, to), { recursive: true });
}

const css = sass.compile(join(root, "assets", "app.scss"), {
  loadPaths: [root, nm, join(root, "assets")],
  style: "compressed",
  quietDeps: true,
  logger: sass.Logger.silent, // the design systems warn about their own deprecations
  silenceDeprecations: ["import", "global-builtin", "mixed-decls"],
});
mkdirSync(join(root, "static", "css"), { recursive: true });
writeFileSync(join(root, "static", "css", "app.css"), css.css);
console.log("assets built: static/css/app.css and static/vendor/");
