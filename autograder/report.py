"""report.html: the class at a glance, with matplotlib figures embedded as PNGs.

Per lesson: a histogram of scores, the pass rate of every test (so the instructor sees which
test most students fail), and the most common failure messages. Flagged submissions are listed
with their reasons.
"""

import base64
import html
import io
from collections import Counter, defaultdict

from .store import atomic_write


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figures(lesson, results):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    maximum = max((r["max_score"] for r in results), default=0) or 1
    scores = [r["score"] for r in results]
    fig, ax = plt.subplots(figsize=(5, 2.6))
    ax.hist(scores, bins=min(20, max(5, int(maximum) + 1)), range=(0, maximum), color="#4477aa")
    ax.set(title=f"{lesson}: scores", xlabel=f"score (of {maximum:g})", ylabel="students")
    hist = _png(fig)
    plt.close(fig)

    rates = pass_rates(results)
    fig, ax = plt.subplots(figsize=(5, 0.4 + 0.3 * max(1, len(rates))))
    names = list(rates)
    ax.barh(names, [100 * rates[n] for n in names], color="#228833")
    ax.invert_yaxis()
    ax.set(title=f"{lesson}: pass rate per test", xlabel="% of submissions passing", xlim=(0, 100))
    bars = _png(fig)
    plt.close(fig)
    return hist, bars


def pass_rates(results):
    """test grade_id -> fraction of submissions that passed it (lesson order kept)."""
    passed, seen = defaultdict(int), defaultdict(int)
    for r in results:
        for t in r["tests"]:
            seen[t["grade_id"]] += 1
            passed[t["grade_id"]] += bool(t["passed"])
    return {g: passed[g] / seen[g] for g in seen}


def common_failures(results, top=8):
    return Counter(t["message"] for r in results for t in r["tests"]
                   if not t["passed"] and t["message"]
                   and not t["message"].startswith("not run:")).most_common(top)


def write(results, path):
    e = html.escape
    by_lesson = defaultdict(list)
    for r in results:
        by_lesson[r["lesson"]].append(r)
    sections = []
    for lesson in sorted(by_lesson):
        rs = by_lesson[lesson]
        hist, bars = _figures(lesson, rs)
        mean = sum(r["score"] for r in rs) / len(rs)
        failures = "".join(f"<tr><td>{n}</td><td><code>{e(m)}</code></td></tr>"
                           for m, n in common_failures(rs))
        flagged = "".join(f"<tr><td>{e(r['student'])}</td><td>{e(r['status'])}</td>"
                          f"<td>{e(r['reason'])}</td></tr>"
                          for r in sorted(rs, key=lambda r: r["student"])
                          if r["status"] != "graded")
        none2, none3 = "<tr><td colspan=2>none</td></tr>", "<tr><td colspan=3>none</td></tr>"
        sections.append(f"""<h2>{e(lesson)}</h2>
<p>{len(rs)} submissions, mean score {mean:.2f} of {rs[0]['max_score']:g}.</p>
<img alt="score histogram of {e(lesson)}" src="{hist}">
<img alt="pass rate per test of {e(lesson)}" src="{bars}">
<h3>Most common failure messages</h3>
<table><tr><th>count</th><th>message</th></tr>{failures or none2}</table>
<h3>Flagged submissions</h3>
<table><tr><th>student</th><th>status</th><th>reason</th></tr>{flagged or none3}</table>""")
    atomic_write(path, f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Class report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3em;text-align:left}}
img{{max-width:100%}}</style></head><body><h1>Class report</h1>
<p>{len(results)} submissions in {len(by_lesson)} lessons.</p>{''.join(sections)}</body></html>
""")
