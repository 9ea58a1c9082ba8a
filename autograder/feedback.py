"""One feedback page per student and lesson: each test's result and message, no test source.

nbgrader's own feedback is the graded notebook rendered to HTML, hidden tests included, so it
would give the hidden tests away. This page is built from the results alone: the grade_id,
points, and the last line of the failure (the message bpkit.checks wrote for the student).
"""

import html
import os

from .store import atomic_write

STYLE = """
body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;
text-align:left;vertical-align:top}.pass{color:#17663a}.fail{color:#a21818}
.note{background:#fff4d6;padding:.6em;border-radius:4px}code{white-space:pre-wrap}
"""


def page(result):
    e = html.escape
    rows = []
    for t in result["tests"]:
        mark = "pass" if t["passed"] else "fail"
        rows.append(
            f"<tr class='{mark}'><td>{e(t['grade_id'])}</td><td>{t['points']:g} / "
            f"{t['max_points']:g}</td><td>{'passed' if t['passed'] else 'failed'}</td>"
            f"<td><code>{e(t['message'])}</code></td></tr>")
    note = (f"<p class='note'>Note from the grader: {e(result['reason'])}</p>"
            if result["reason"] else "")
    if result.get("manual_points"):
        note += (f"<p>Written answers ({result['manual_points']:g} points) are graded by a "
                 "person; this score does not include them yet.</p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(result['lesson'])} - {e(result['student'])}</title><style>{STYLE}</style></head>
<body><h1>{e(result['lesson'])}</h1>
<p>Student: <b>{e(result['student'])}</b>.
Score: <b>{result['score']:g} / {result['max_score']:g}</b>
({e(result['status'])}).</p>{note}
<table><tr><th>test</th><th>points</th><th>result</th><th>message</th></tr>
{''.join(rows)}</table></body></html>
"""


def path_for(out_dir, result):
    return os.path.join(out_dir, "feedback", result["student"], result["lesson"] + ".html")


def write_all(results, out_dir):
    for result in results:
        atomic_write(path_for(out_dir, result), page(result))
