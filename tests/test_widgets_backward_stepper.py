"""The backward stepper and the Value-graph drawing of lesson 10: what they show at each step
(headless), that drawing never changes a graph, and the widget's buttons."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from bpkit.autograd import Value, topological_order  # noqa: E402
from bpkit.viz_autograd import draw_value_graph, edge_shares, value_graph  # noqa: E402
from bpkit.widgets.backward_stepper import (  # noqa: E402
    EXAMPLES,
    backward_state,
    backward_stepper,
    backward_steps,
    shop_example,
)

pytestmark = pytest.mark.lesson10


def _shown(figure, kind):
    """The texts of one kind ("value", "grad", "label") drawn in the figure."""
    return [t.get_text() for ax in figure.axes for t in ax.texts
            if (t.get_gid() or "").startswith(kind + ":")]


def test_the_shop_graph_shows_715_above_and_the_notes_gradients_below():
    figure = draw_value_graph(shop_example())
    values = set(_shown(figure, "value"))
    assert {"100", "2", "150", "3", "1.1", "200", "450", "650", "715"} <= values
    assert {"2.2", "110", "3.3", "165", "650", "1.1", "1"} <= set(_shown(figure, "grad"))
    assert {"apple price", "tax", "total"} <= set(_shown(figure, "label"))


def test_forward_only_drawing_has_no_gradients():
    figure = draw_value_graph(shop_example(), with_gradients=False)
    assert _shown(figure, "grad") == []
    assert "715" in _shown(figure, "value")


def test_a_value_used_twice_gets_one_arrow_per_use_whose_shares_sum_to_its_grad():
    a, b = Value(0.5, label="a"), Value(-1.5, label="b")
    out = (a * b + a).tanh()
    graph = value_graph(out)
    from_a = [e for e in graph.edges if e.label == "a"]
    assert len(from_a) == 2
    out.backward()
    assert sum(e.grad for e in from_a) == pytest.approx(a.grad)


def test_drawing_leaves_every_gradient_as_it_was():
    total = shop_example()
    before = [v.grad for v in topological_order(total)]
    draw_value_graph(total)
    assert [v.grad for v in topological_order(total)] == before == [0.0] * len(before)
    shares = edge_shares(total)
    assert len(shares) == 8  # 4 operations with 2 parents each


def test_stepper_seeds_then_runs_one_local_backward_per_step_in_reverse_topological_order():
    n = backward_state("a used twice", 0)["n_steps"]
    assert n == 1 + 3  # seed, then tanh, +, ×
    start = backward_state("a used twice", 0)
    assert set(start["grads"].values()) == {0.0}
    assert "Next" in start["message"]
    seeded = backward_state("a used twice", 1)
    assert seeded["grads"]["L (tanh)"] == 1.0 and seeded["active"] is None
    actives = [backward_state("a used twice", k)["active"] for k in range(2, n + 1)]
    assert actives == ["L (tanh)", "d (+)", "c (×)"]


def test_a_value_used_twice_receives_its_gradient_in_two_steps():
    grads = [backward_state("a used twice", k)["grads"]["a (input)"] for k in range(5)]
    final = grads[-1]
    assert grads[:3] == [0.0, 0.0, 0.0]
    assert 0 != grads[3] != final  # first share from d = c + a, then the second from c = a * b
    message = backward_state("a used twice", 4)["message"]
    assert "a second use: the gradients add" in message
    a, b = Value(0.5), Value(-1.5)
    (a * b + a).tanh().backward()
    assert final == pytest.approx(a.grad)


def test_figure_shows_only_the_gradients_sent_so_far():
    seeded = backward_state("the shop (715)", 1)["figure"]
    assert _shown(seeded, "grad") == ["1"]
    done = backward_state("the shop (715)", 5)
    assert {"2.2", "110", "3.3", "165", "650"} <= set(_shown(done["figure"], "grad"))
    assert "Done" in done["message"]


def test_every_example_ends_with_the_reference_gradients():
    for name, build in EXAMPLES.items():
        n = backward_state(name, 0)["n_steps"]
        final = backward_state(name, n)["grads"]
        root = build()
        root.backward()
        assert list(final.values()) == pytest.approx(
            [v.grad for v in topological_order(root)]), name
        assert len(backward_steps(root)) == n - 1


def test_the_stepper_runs_the_students_own_class():
    class MyValue:  # a different class with the same attributes
        def __init__(self, data, parents=()):
            self.data, self.grad, self.parents, self.op, self.label = data, 0.0, parents, "", ""
            self.local_backward = lambda: None

        def __mul__(self, other):
            out = MyValue(self.data * other.data, (self, other))
            out.op = "×"

            def local_backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad

            out.local_backward = local_backward
            return out

    def build():
        x = MyValue(3.0)
        return x * x

    state = backward_state(build, 2)
    assert state["grads"]["v0 (3)"] == 6.0


def test_bad_steps_and_unknown_examples_are_refused():
    with pytest.raises(ValueError, match="between 0 and 4"):
        backward_state("a used twice", 5)
    with pytest.raises(ValueError, match="unknown example"):
        backward_state("no such graph", 0)


def test_widget_buttons_move_through_the_steps_and_the_menu_changes_the_graph():
    widget = backward_stepper()
    assert widget.state["step"] == 0
    widget.next_button.click()
    widget.next_button.click()
    assert widget.state["step"] == 2 and widget.state["active"] == "L (tanh)"
    widget.back_button.click()
    assert widget.state["step"] == 1
    widget.example.value = "the shop (715)"
    assert widget.state["step"] == 0 and widget.step_slider.max == 5
    for _ in range(10):  # past the end stays at the end
        widget.next_button.click()
    assert widget.state["step"] == 5
    widget.reset_button.click()
    assert widget.state["step"] == 0
    assert widget.image.value[:4] == b"\x89PNG"


def test_widget_on_a_given_graph_hides_the_menu():
    widget = backward_stepper(shop_example)
    assert widget.example not in widget.children
    assert widget.step_slider.max == 5
