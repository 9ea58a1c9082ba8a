"""The widgets speak the notebook's language: Korean after use_language("ko"), else English.

Buttons, slider names and the sentence under the buttons go through bpkit.i18n (a browser has
Hangul fonts, so they are Korean even where matplotlib has none). What the widgets compute, and
the keys a test or a lesson reads (the graph's edge labels, the example names), stay the same.
"""

import re

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from bpkit import i18n  # noqa: E402
from bpkit.widgets.backward_stepper import backward_stepper  # noqa: E402
from bpkit.widgets.shop_stepper import shop_stepper  # noqa: E402

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def language():
    """Switch the language for one test; English and matplotlib's settings back afterwards."""
    with matplotlib.rc_context():
        try:
            yield i18n.use_language
        finally:
            i18n.use_language("en")


def shop_labels(widget):
    buttons = [widget.back_button, widget.next_button, widget.reset_button]
    return ([b.description for b in buttons] + [widget.step_slider.description]
            + [c.description for c in widget.controls.values()])


def backward_labels(widget):
    buttons = [widget.back_button, widget.next_button, widget.reset_button]
    return ([b.description for b in buttons] + [widget.step_slider.description,
                                                 widget.example.description]
            + [label for label, _ in widget.example.options])


def test_korean_widgets_show_korean_buttons_labels_and_messages(language):
    language("ko")
    shop, stepper = shop_stepper(), backward_stepper()
    for labels in (shop_labels(shop), backward_labels(stepper)):
        english = [label for label in labels if not HANGUL.search(label)]
        assert english == [], f"labels left in English: {english}"
    assert shop.next_button.description == "다음"
    assert HANGUL.search(shop.message.value) and HANGUL.search(stepper.message.value)
    shop.next_button.click()
    assert "국소적 계산" in shop.message.value and "1단계" in shop.message.value
    # The menu shows Korean names; its values are still the examples' keys.
    assert stepper.example.value == "a used twice"
    stepper.example.value = "the shop (715)"
    stepper.step_slider.value = stepper.step_slider.max
    assert stepper.state["grads"]  # the backward pass ran to the end
    assert HANGUL.search(stepper.message.value)


def test_english_widgets_are_as_before(language):
    language("ko")
    language("en")
    shop, stepper = shop_stepper(), backward_stepper()
    assert shop_labels(shop) == ["Back", "Next", "Reset", "step", "apple price", "apple count",
                                 "tax", "orange price", "orange count"]
    assert backward_labels(stepper) == ["Back", "Next", "Reset", "step", "graph",
                                        "a used twice", "the shop (715)", "a tanh neuron"]
    assert shop.message.value == ("<b>Step 0 of 9</b> — Start: only the inputs are known. "
                                  "Press Next.")
    assert not HANGUL.search(stepper.message.value.replace("역전파", ""))
