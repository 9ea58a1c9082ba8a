"""Graph labels read at 100 % zoom: no two texts overlap, none is smaller than 9 pixels.

A notebook shows a figure wider than its output area (about 900 pixels in a 1400-pixel window)
shrunk to fit, and every text shrinks with it; the sizes are measured as shown there. The
Softmax-with-Loss graph is drawn exactly as lesson 06 draws it (its cell's own code).
"""

import itertools

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from autograder.lessons import COURSE_ROOT
from bpkit import viz

OUTPUT_AREA_PX = 900
MIN_SHOWN_PX = 9


def lesson_06_softmax_graph():
    path = COURSE_ROOT / "solutions" / "06_softmax_with_loss" / "06_softmax_with_loss.ipynb"
    cell = next(c for c in nbformat.read(path, as_version=4).cells
                if "def softmax_loss_graph" in c.source)
    namespace = {"np": np, "viz": viz, "plt": plt}
    with matplotlib.rc_context({"backend": "agg"}):
        exec(compile(cell.source.replace("plt.show()", ""), "lesson 06", "exec"), namespace)
    return plt.gcf()


FIGURES = {
    "Softmax-with-Loss (lesson 06)": lesson_06_softmax_graph,
    "apples": lambda: viz.draw_graph(viz.apple_graph()),
    "shop": lambda: viz.draw_graph(viz.shop_graph()),
    "chain rule": lambda: viz.draw_graph(viz.chain_rule_graph()),
    "sigmoid": lambda: viz.draw_graph(viz.sigmoid_graph(1.0)),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_graph_texts_are_big_enough_upright_and_apart(name):
    fig = FIGURES[name]()
    try:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)  # lay the figure out as it is saved
        # The graph's own texts and titles (its axes are off: no tick labels are drawn).
        texts = [t for ax in fig.axes for t in [*ax.texts, ax.title]
                 if t.get_visible() and t.get_text().strip()]
        assert len(texts) > 5
        shrink = min(1.0, OUTPUT_AREA_PX / (fig.get_figwidth() * fig.dpi))
        for text in texts:
            shown_px = text.get_fontsize() * fig.dpi / 72 * shrink
            assert shown_px >= MIN_SHOWN_PX, f"{text.get_text()!r} is {shown_px:.1f} px high"
            assert text.get_style() == "normal", f"{text.get_text()!r} is {text.get_style()}"
        boxes = [(t, t.get_window_extent(renderer)) for t in texts]
        overlaps = [(a.get_text(), b.get_text()) for (a, box_a), (b, box_b)
                    in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
        assert not overlaps, f"texts drawn over each other: {overlaps}"
    finally:
        plt.close(fig)
