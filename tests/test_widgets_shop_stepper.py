"""The shop stepper: the state it shows at each step (headless) and the widget's controls."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from bpkit.widgets.shop_stepper import shop_n_steps, shop_pass_state, shop_stepper  # noqa: E402

pytestmark = [pytest.mark.lesson01, pytest.mark.lesson02, pytest.mark.lesson03]


def _shown_text(figure):
    """{gid: text} of every value/gradient label drawn in the figure."""
    return {t.get_gid(): t.get_text() for ax in figure.axes for t in ax.texts
            if t.get_gid() and t.get_gid().split(":")[0] in ("value", "grad")}


def test_forward_reaches_the_notes_715_one_node_at_a_time():
    totals = [shop_pass_state(step)["values"].get("total") for step in range(5)]
    assert totals == [None, None, None, None, pytest.approx(715)]
    assert shop_pass_state(1)["values"]["apples"] == 200
    assert "oranges" not in shop_pass_state(1)["values"]
    assert shop_pass_state(3)["values"]["subtotal"] == 650
    assert all(shop_pass_state(step)["grads"] == {} for step in range(5))


def test_backward_ends_with_the_notes_gradients():
    final = shop_pass_state(shop_n_steps())
    assert final["phase"] == "done"
    assert final["grads"] == pytest.approx({
        "total": 1, "subtotal": 1.1, "tax": 650, "apples": 1.1, "oranges": 1.1,
        "apple_price": 2.2, "apple_count": 110, "orange_price": 3.3, "orange_count": 165})


def test_backward_goes_node_by_node_from_the_output():
    reached = [set(shop_pass_state(step)["grads"]) for step in range(5, 10)]
    assert reached[0] == {"total"}
    assert reached[1] - reached[0] == {"subtotal", "tax"}
    assert reached[2] - reached[1] == {"apples", "oranges"}
    assert reached[3] - reached[2] == {"orange_price", "orange_count"}
    assert reached[4] - reached[3] == {"apple_price", "apple_count"}


def test_messages_give_the_numbers_of_each_step():
    assert "100 × 2 = 200" in shop_pass_state(1)["message"]
    assert "650 × 1.1 = 715" in shop_pass_state(4)["message"]
    assert "1.1 passes unchanged" in shop_pass_state(7)["message"]
    assert "1.1 × 2 = 2.2 to apple price" in shop_pass_state(9)["message"]


def test_apple_only_graph_gives_220_and_the_notes_gradients():
    n = shop_n_steps(with_orange=False)
    assert n == 5
    final = shop_pass_state(n, with_orange=False)
    assert final["values"]["total"] == pytest.approx(220)
    assert "oranges" not in final["values"]
    assert final["grads"]["apple_price"] == pytest.approx(2.2)
    assert final["grads"]["apple_count"] == pytest.approx(110)
    assert final["grads"]["tax"] == pytest.approx(200)


def test_other_prices_change_every_number():
    state = shop_pass_state(9, apple_price=50, apple_count=4, orange_price=20,
                            orange_count=5, tax=1.2)
    assert state["values"]["total"] == pytest.approx((50 * 4 + 20 * 5) * 1.2)
    assert state["grads"]["apple_count"] == pytest.approx(1.2 * 50)
    assert state["grads"]["tax"] == pytest.approx(300)


def test_figure_shows_only_what_is_known():
    before = _shown_text(shop_pass_state(1)["figure"])
    assert "200" in before.values() and "715" not in before.values()
    assert not any(gid.startswith("grad:") for gid in before)
    after = _shown_text(shop_pass_state(9)["figure"])
    assert {"715", "2.2", "110", "3.3", "165", "650"} <= set(after.values())


def test_step_outside_the_pass_is_refused():
    with pytest.raises(ValueError, match="between 0 and 9"):
        shop_pass_state(10)


def test_widget_buttons_step_and_reset():
    widget = shop_stepper()
    first_image = widget.image.value
    widget.next_button.click()
    assert widget.state["step"] == 1 and "200" in widget.message.value
    assert widget.image.value != first_image
    for _ in range(20):  # Next stops at the last step
        widget.next_button.click()
    assert widget.state["phase"] == "done"
    widget.back_button.click()
    assert widget.state["step"] == shop_n_steps() - 1
    widget.reset_button.click()
    assert widget.state["step"] == 0


def test_widget_slider_changes_the_shown_numbers():
    widget = shop_stepper()
    widget.step_slider.value = shop_n_steps()
    widget.controls["apple_count"].value = 3
    # The notes: 3 apples instead of 2 make 715 -> 825.
    assert widget.state["values"]["total"] == pytest.approx(825)
    assert widget.state["step"] == shop_n_steps()


def test_widget_without_oranges_has_no_orange_sliders():
    widget = shop_stepper(with_orange=False)
    assert set(widget.controls) == {"apple_price", "apple_count", "tax"}
    widget.step_slider.value = 2
    assert widget.state["values"]["total"] == pytest.approx(220)
