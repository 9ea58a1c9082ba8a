"""Korean figures: Hangul drawn with a Hangul font, or English where there is none.

A Korean notebook calls ``use_language("ko")`` first. With a font that has Hangul (bpkit ships
one, bpkit/fonts/; fonts-noto-cjk in CI and on Binder too), the lesson figures' titles, labels,
legends and the graphs' edge names are Korean and draw without a missing-glyph warning; without
any they stay English (a figure of boxes teaches nothing), again without a warning. Either way
nothing reaches stderr: a correct lesson writes nothing there. The Korean figures are saved to
screenshots/ to be looked at.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from autograder.lessons import COURSE_ROOT
from bpkit import i18n, viz
from bpkit.widgets import training_dashboard

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import browser_helpers as bh  # noqa: E402  (the screenshots folder and the CI rule)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
APPLE_TITLE = "apples: forward (above) and backward (below)"


@pytest.fixture
def korean():
    """use_language("ko") for one test; English and matplotlib's settings back afterwards."""
    with matplotlib.rc_context():
        i18n.use_language("ko")
        try:
            yield
        finally:
            i18n.use_language("en")


def require_korean_font():
    """Skip without a Hangul font (fail in CI, which installs fonts-noto-cjk)."""
    if i18n.korean_font() is not None:
        return
    reason = (f"no font with Hangul: bpkit's own ({i18n.SHIPPED_FONT}) is missing and "
              f"matplotlib knows none of {', '.join(i18n._KOREAN_FONTS)}; restore the file "
              "or install fonts-noto-cjk (apt install fonts-noto-cjk) to draw Korean figures")
    if bh.under_ci():
        pytest.fail(f"CI must have a Hangul font: {reason}")
    pytest.skip(reason)


def draw_silently(make_figure, capfd):
    """Draw and save a figure with every warning an error; returns it and asserts no stderr."""
    capfd.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = make_figure()
        FigureCanvasAgg(fig)  # a canvas of its own: pyplot does not track these figures
        fig.canvas.draw()
    captured = capfd.readouterr()
    assert captured.err == "", f"drawing wrote to stderr:\n{captured.err}"
    return fig


def shown_texts(fig):
    """Every visible non-empty text of a figure: titles, axis labels, legends, annotations."""
    texts = []
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    return [t.get_text() for t in texts if t.get_visible() and t.get_text().strip()]


def apple_graph():
    return viz.draw_graph(viz.apple_graph())


def training_curves():
    epochs = np.arange(1, 11)
    return viz.plot_curves({"loss": list(2.3 * 0.75**epochs), "accuracy": list(1 - 0.8**epochs)},
                           title="loss")


def dashboard_snapshot():
    snapshot = next(training_dashboard.iter_training("spiral", hidden_size=8, steps=0))
    return training_dashboard.draw_snapshot(snapshot, total_steps=500, resolution=40)


FIGURES = {"apple-graph": apple_graph, "training-curves": training_curves,
           "training-dashboard": dashboard_snapshot}


@pytest.mark.parametrize("name", list(FIGURES))
def test_korean_figures_are_drawn_in_hangul_without_a_warning(name, korean, capfd):
    require_korean_font()
    fig = draw_silently(FIGURES[name], capfd)
    texts = shown_texts(fig)
    title = fig.axes[0].get_title()
    assert HANGUL.search(title), f"the title is not Korean: {title!r}"
    korean_texts = [t for t in texts if HANGUL.search(t)]
    assert len(korean_texts) >= 3, f"too few Korean labels: {texts}"
    assert not any(t == APPLE_TITLE or t in ("loss", "accuracy", "epoch", "step") for t in texts)
    bh.SCREENSHOTS.mkdir(exist_ok=True)
    capfd.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(bh.SCREENSHOTS / f"ko-{name}.png", dpi=100)
    assert capfd.readouterr().err == ""


def test_korean_graph_labels_are_translated_where_drawn_only(korean):
    """Graph.edge finds an edge by its English label in either language."""
    require_korean_font()
    graph = viz.apple_graph()
    assert graph.edge("apple price").grad == pytest.approx(2.2)
    fig = viz.draw_graph(graph)
    labels = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    assert labels["label:price->mul_apple"] == "사과 가격"
    assert labels["label:mul_tax->out"] == "합계"


# Run in a fresh interpreter: matplotlib without any Hangul font, neither the system's nor the
# one bpkit ships.
NO_FONT_SCRIPT = textwrap.dedent("""
    import json, warnings
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager
    from bpkit import i18n, viz

    hangul = (i18n.SHIPPED_FAMILY, "CJK", *i18n._KOREAN_FONTS)
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if not any(n in f.name for n in hangul)]
    i18n.SHIPPED_FONT = i18n.SHIPPED_FONT.with_name("missing.otf")
    warnings.simplefilter("error")
    i18n.use_language("ko")
    assert i18n.korean_font() is None
    fig = viz.draw_graph(viz.apple_graph())
    curves = viz.plot_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.9]})
    for figure in (fig, curves):
        figure.canvas.draw()
    ax = curves.axes[0]
    print(json.dumps({"title": fig.axes[0].get_title(),
                      "labels": sorted(t.get_text() for t in fig.axes[0].texts
                                       if (t.get_gid() or "").startswith("label:")),
                      "curve_labels": [ax.get_xlabel(), ax.get_ylabel(),
                                       curves.axes[1].get_ylabel()],
                      "fonts": list(matplotlib.rcParams["font.family"])}))
""")


def test_without_a_hangul_font_korean_figures_stay_english_and_quiet():
    result = subprocess.run([sys.executable, "-W", "error", "-c", NO_FONT_SCRIPT],
                            capture_output=True, text=True, cwd=COURSE_ROOT, timeout=300,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", f"stderr is not empty:\n{result.stderr}"
    shown = json.loads(result.stdout)
    assert shown["title"] == APPLE_TITLE
    assert "apple price" in shown["labels"] and "total" in shown["labels"]
    assert shown["curve_labels"] == ["epoch", "loss", "accuracy"]
    assert not HANGUL.search(json.dumps(shown, ensure_ascii=False))
    assert not any(i18n.SHIPPED_FAMILY in f or "CJK" in f for f in shown["fonts"])


def test_english_figures_are_unchanged_after_a_korean_test():
    assert i18n.language() == "en"
    fig = viz.draw_graph(viz.apple_graph())
    assert fig.axes[0].get_title() == APPLE_TITLE
    assert i18n.SHIPPED_FAMILY not in matplotlib.rcParams["font.family"]
