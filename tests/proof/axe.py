"""axe-core in a real browser page: inject it and return what it finds.

axe is served by the app itself (/static/vendor/axe/axe.min.js, built from the pinned npm
package), so it loads under the page's own Content-Security-Policy like any other script.
"""
# WCAG 2.2 A and AA, which GOV.UK services must meet, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, tags=TAGS):
    """Run axe on the page as it stands; a list of {id, impact, help, targets} per violated rule."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [" ".join(node["target"]) for node in v["nodes"]]} for v in results["violations"]]


def report(violations):
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'][:5])}" for v in violations)
