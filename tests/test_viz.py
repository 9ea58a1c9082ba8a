"""bpkit.viz: graphs carry the numbers bpkit's layers compute, and the figures show them where
a reader looks for them (values above an edge, gradients below it). Assertions are on the
figures' text and artists, never on pixels."""

import re

import matplotlib

matplotlib.use("Agg")  # before pyplot: no window in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from bpkit import Sigmoid, data, viz  # noqa: E402
from bpkit.functions import sigmoid  # noqa: E402


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    # Another module's test may run first in the same xdist worker and leave its figures:
    # start clean, so only a figure this test's viz call left open counts.
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a viz function left a figure open in pyplot"


def texts(fig):
    """{gid: Text} of every text in the figure that has a gid."""
    return {t.get_gid(): t for ax in fig.axes for t in ax.texts if t.get_gid()}


def shown(fig, kind):
    """{edge "src->dst": text} for kind "value" or "grad"."""
    return {gid.split(":", 1)[1]: t.get_text() for gid, t in texts(fig).items()
            if gid.startswith(kind + ":")}


def edge_line_y(graph, edge, x):
    """y of the edge's straight line at x (edges of the builders are never vertical)."""
    (x0, y0), (x1, y1) = graph.node(edge.src).pos, graph.node(edge.dst).pos
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


# --- the numbers of the notes --------------------------------------------------------------


def test_apple_graph_has_the_notes_numbers():
    g = viz.apple_graph()
    assert g.edge("total").value == pytest.approx(220)
    assert g.edge("apple total").value == pytest.approx(200)
    grads = {label: g.edge(label).grad for label in ("apple price", "apple count", "tax")}
    assert grads == pytest.approx({"apple price": 2.2, "apple count": 110, "tax": 200})
    assert g.edge("apple total").grad == pytest.approx(1.1)
    assert g.edge("total").grad == 1


def test_shop_graph_has_the_notes_numbers():
    g = viz.shop_graph(**data.shop_prices())
    assert g.edge("total").value == pytest.approx(715)
    expected = {"apple price": 2.2, "apple count": 110, "orange price": 3.3,
                "orange count": 165, "tax": 650}
    assert {label: g.edge(label).grad for label in expected} == pytest.approx(expected)


def test_shop_gradient_is_the_change_of_the_total_per_unit():
    # The notes: apple price 100 -> 101 moves the total from 715 to 717.2, i.e. by 2.2.
    prices = data.shop_prices()
    base = viz.shop_graph(**prices)
    for name, label in [("apple_price", "apple price"), ("orange_count", "orange count")]:
        bumped = viz.shop_graph(**{**prices, name: prices[name] + 1})
        change = bumped.edge("total").value - base.edge("total").value
        assert change == pytest.approx(base.edge(label).grad)


@pytest.mark.parametrize("seed", range(5))
def test_graph_builders_compute_rather_than_copy(seed):
    rng = np.random.default_rng(seed)
    price, count, tax = rng.uniform(1, 200), rng.integers(1, 9), rng.uniform(1, 1.3)
    g = viz.apple_graph(price, count, tax)
    assert g.edge("total").value == pytest.approx(price * count * tax)
    assert g.edge("apple price").grad == pytest.approx(count * tax)
    assert g.edge("apple count").grad == pytest.approx(price * tax)
    assert g.edge("tax").grad == pytest.approx(price * count)


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (-0.5, 3.25), (4.0, -7.0)])
def test_chain_rule_graph(x, y):
    g = viz.chain_rule_graph(x, y)
    t = x + y
    assert g.edge("t").value == pytest.approx(t)
    assert g.edge("z").value == pytest.approx(t**2)
    assert g.edge("t").grad == pytest.approx(2 * t)
    assert g.edge("x").grad == pytest.approx(2 * t)
    assert g.edge("y").grad == pytest.approx(2 * t)
    h = 1e-6  # and it is the real derivative
    numeric = ((x + h + y) ** 2 - (x - h + y) ** 2) / (2 * h)
    assert g.edge("x").grad == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("x", [-3.0, -0.4, 0.0, 1.0, 2.5])
def test_sigmoid_graph_backward_node_by_node(x):
    g = viz.sigmoid_graph(x)
    y = sigmoid(x)
    assert g.edge("y").value == pytest.approx(y)
    # Through 1/u: -1/(1 + exp(-x))^2 = -y^2; through +1: unchanged; through exp: * exp(-x).
    assert g.edge("u = 1+exp(-x)").grad == pytest.approx(-(y**2))
    assert g.edge("exp(-x)").grad == pytest.approx(-(y**2))
    assert g.edge("-x").grad == pytest.approx(-(y**2) * np.exp(-x))
    # Through x -1: the sign flips, and the result simplifies to y(1 - y)...
    assert g.edge("x").grad == pytest.approx(y * (1 - y))
    # ...which is what bpkit's Sigmoid layer computes.
    layer = Sigmoid()
    layer.forward(np.array([x]))
    assert g.edge("x").grad == pytest.approx(layer.backward(np.array([1.0]))[0])


def test_graph_rejects_an_edge_to_an_unknown_node():
    with pytest.raises(ValueError, match="names no node 'b'"):
        viz.Graph([viz.Node("a")], [viz.Edge("a", "b")])


# --- number format ---------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (100 * 2 * 1.1, "220"), (1.1 * 2, "2.2"), (0.1 + 0.2, "0.3"), (715.0000000000001, "715"),
    (sigmoid(1.0), "0.7311"), (-0.0, "0"), (-1.5e-7, "-1.5e-07"), (np.float64(650), "650"),
])
def test_format_number_is_compact(value, text):
    assert viz.format_number(value) == text


def test_format_number_handles_non_finite_values():
    assert viz.format_number(float("inf")) == "inf"
    assert viz.format_number(float("nan")) == "nan"


# --- drawing -----------------------------------------------------------------------------------


def test_apple_figure_puts_price_above_and_its_gradient_below_the_price_edge():
    g = viz.apple_graph()
    fig = viz.draw_graph(g)
    edge = g.edge("apple price")
    key = f"{edge.src}->{edge.dst}"
    value, grad = texts(fig)[f"value:{key}"], texts(fig)[f"grad:{key}"]
    assert value.get_text() == "100" and grad.get_text() == "2.2"
    vx, vy = value.get_position()
    gx, gy = grad.get_position()
    assert vy > edge_line_y(g, edge, vx), "the forward value belongs above the edge"
    assert gy < edge_line_y(g, edge, gx), "the gradient belongs below the edge"
    (x0, _), (x1, _) = g.node(edge.src).pos, g.node(edge.dst).pos
    assert min(x0, x1) < vx < max(x0, x1) and min(x0, x1) < gx < max(x0, x1)


@pytest.mark.parametrize("build", [viz.apple_graph, lambda: viz.shop_graph(**data.shop_prices()),
                                   viz.chain_rule_graph, viz.sigmoid_graph])
def test_every_number_sits_on_its_own_side_next_to_its_own_edge(build):
    g = build()
    fig = viz.draw_graph(g)
    middles = {f"{e.src}->{e.dst}": (np.add(g.node(e.src).pos, g.node(e.dst).pos) / 2)
               for e in g.edges}
    for edge in g.edges:
        key = f"{edge.src}->{edge.dst}"
        for kind, above in (("value", True), ("grad", False)):
            text = texts(fig)[f"{kind}:{key}"]
            x, y = text.get_position()
            assert (y > edge_line_y(g, edge, x)) == above, f"{kind} of {edge.label} misplaced"
            nearest = min(middles, key=lambda k: np.hypot(*(middles[k] - (x, y))))
            assert nearest == key, f"the {kind} of {edge.label} is nearer to edge {nearest}"


def test_shop_figure_shows_the_notes_numbers_in_forward_and_backward_colours():
    fig = viz.draw_graph(viz.shop_graph(**data.shop_prices()))
    values, grads = shown(fig, "value"), shown(fig, "grad")
    assert sorted(values.values()) == sorted(["100", "2", "150", "3", "200", "450", "650",
                                              "1.1", "715"])
    assert values["mul_tax->out"] == "715"
    assert grads["apple_price->mul_apple"] == "2.2"
    assert grads["apple_count->mul_apple"] == "110"
    assert grads["orange_price->mul_orange"] == "3.3"
    assert grads["orange_count->mul_orange"] == "165"
    assert grads["tax->mul_tax"] == "650"
    for gid, text in texts(fig).items():
        red, _, blue = to_rgb(text.get_color())
        if gid.startswith("value:"):
            assert blue > red, f"{gid} should be drawn in the forward colour"
        if gid.startswith("grad:"):
            assert red > blue, f"{gid} should be drawn in the backward colour"


def test_no_float_noise_in_any_drawn_number():
    for graph in (viz.apple_graph(), viz.shop_graph(), viz.sigmoid_graph(0.3)):
        fig = viz.draw_graph(graph)
        for text in list(shown(fig, "value").values()) + list(shown(fig, "grad").values()):
            assert re.fullmatch(r"-?\d+(\.\d{1,4})?", text), f"{text!r} is not compact"


def test_edge_labels_name_the_inputs():
    fig = viz.draw_graph(viz.apple_graph())
    labels = {t.get_text() for gid, t in texts(fig).items() if gid.startswith("label:")}
    assert {"apple price", "apple count", "tax", "total"} <= labels


def test_forward_steps_show_only_the_first_values():
    g = viz.apple_graph()
    fig = viz.draw_graph(g, forward_steps=2, show_backward=False)
    first_two = {f"{e.src}->{e.dst}" for e in g.edges[:2]}
    assert set(shown(fig, "value")) == first_two
    assert shown(fig, "value")["price->mul_apple"] == "100"
    assert shown(fig, "grad") == {}


def test_backward_steps_start_from_the_output():
    g = viz.apple_graph()
    one = viz.draw_graph(g, backward_steps=1, show_forward=False)
    assert shown(one, "grad") == {"mul_tax->out": "1"}
    assert shown(one, "value") == {}
    three = shown(viz.draw_graph(g, backward_steps=3), "grad")
    assert three == {"mul_tax->out": "1", "tax->mul_tax": "200", "mul_apple->mul_tax": "1.1"}
    assert len(shown(viz.draw_graph(g, backward_steps=0), "value")) == len(g.edges)


def test_highlight_marks_the_chosen_node_only():
    fig = viz.draw_graph(viz.apple_graph(), highlight="mul_tax")
    circles = {tuple(p.center): to_rgb(p.get_edgecolor()) for p in fig.axes[0].patches}
    assert circles[(4.0, 1.0)] == to_rgb(viz.HIGHLIGHT_COLOR)
    assert circles[(2.0, 1.0)] == to_rgb("black")


def test_sigmoid_figure_notes_the_local_derivatives_when_going_backward():
    with_notes = texts(viz.draw_graph(viz.sigmoid_graph(1.0)))
    # The 1/u node is written with its own input u, not with the sigmoid's x.
    assert with_notes["note:reciprocal"].get_text() == "× (-1/u²)"
    assert with_notes["node:reciprocal"].get_text() == "1/u"
    assert with_notes["note:exp"].get_text() == "× exp(-x)"
    assert "note:exp" not in texts(viz.draw_graph(viz.sigmoid_graph(1.0), show_backward=False))


def test_draw_into_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    try:
        assert viz.draw_graph(viz.apple_graph(), ax=axes[1]) is fig
        assert shown(fig, "value")["mul_tax->out"] == "220"
        assert len(axes[0].texts) == 0
    finally:
        plt.close(fig)


# --- plots -----------------------------------------------------------------------------------


def test_function_and_derivative_plot():
    fig = viz.plot_function_and_derivative(sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
                                           (-5, 5), title="sigmoid")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    f_line, df_line = lines["f(x)"], lines["f'(x)"]
    x = f_line.get_xdata()
    assert x[0] == -5 and x[-1] == 5
    np.testing.assert_allclose(f_line.get_ydata(), sigmoid(x))
    assert df_line.get_ydata().max() == pytest.approx(0.25, abs=1e-3)  # at x = 0
    assert df_line.get_linestyle() == "--"
    assert ax.get_title() == "sigmoid"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f(x)", "f'(x)"]


@pytest.mark.parametrize("form", ["labels", "scores", "probability"])
def test_decision_boundary_colours_each_side_by_its_class(form):
    x, t = data.xor()
    outputs = {
        "labels": lambda p: (p[:, 0] > 0.5).astype(int),
        "scores": lambda p: np.column_stack([0.5 - p[:, 0], p[:, 0] - 0.5]),
        "probability": lambda p: (p[:, :1] > 0.5).astype(float),
    }
    fig = viz.plot_decision_boundary(outputs[form], x, t, resolution=50)
    ax = fig.axes[0]
    regions = np.asarray(ax.images[0].get_array())
    assert regions.shape == (50, 50)
    assert np.all(regions[:, :20] == 0) and np.all(regions[:, -20:] == 1)
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(map(tuple, points)) == sorted(map(tuple, x))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_curves_put_losses_left_and_accuracies_right():
    history = {"train loss": [2.3, 1.1, 0.6], "train acc": [0.2, 0.7, 0.9],
               "test acc": [0.25, 0.65, 0.85]}
    fig = viz.plot_curves(history, title="training")
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train loss"]
    assert [line.get_label() for line in acc_ax.get_lines()] == ["train acc", "test acc"]
    np.testing.assert_array_equal(acc_ax.get_lines()[1].get_ydata(), history["test acc"])
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), [1, 2, 3])
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert acc_ax.get_ylim()[0] == 0
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_title() == "training"


def test_curves_with_losses_only_use_one_axis():
    fig = viz.plot_curves({"loss": [1.0, 0.5]})
    assert len(fig.axes) == 1 and fig.axes[0].get_lines()[0].get_label() == "loss"


def test_show_bitmap_draws_the_notes_two_as_8_rows_of_6():
    x, _ = data.digit_bitmaps()
    fig = viz.show_bitmap(x[2], title="2")
    picture = np.asarray(fig.axes[0].images[0].get_array())
    assert picture.shape == (8, 6)
    np.testing.assert_array_equal(picture[1], [0, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(picture[6], [0, 1, 1, 1, 1, 0])
    assert fig.axes[0].get_title() == "2"


def test_show_bitmap_shapes_real_digits_and_refuses_unknown_sizes():
    (x_train, _), _ = data.load_digits()
    picture = np.asarray(viz.show_bitmap(x_train[0]).axes[0].images[0].get_array())
    np.testing.assert_array_equal(picture, x_train[0].reshape(8, 8))
    assert np.asarray(viz.show_bitmap(np.zeros(12), shape=(3, 4)).axes[0].images[0]
                      .get_array()).shape == (3, 4)
    with pytest.raises(ValueError, match="pass shape="):
        viz.show_bitmap(np.zeros(50))


def test_figures_save_as_png(tmp_path):
    path = tmp_path / "apple.png"
    viz.draw_graph(viz.apple_graph()).savefig(path)
    assert path.stat().st_size > 1000


def test_graph_defaults_are_the_shop_of_bpkit_data():
    p = data.shop_prices()
    apples = p["apple_price"] * p["apple_count"]
    oranges = p["orange_price"] * p["orange_count"]
    assert viz.apple_graph().edge("total").value == pytest.approx(apples * p["tax"])
    assert viz.shop_graph().edge("total").value == pytest.approx((apples + oranges) * p["tax"])
    # Overriding one price keeps the others.
    assert viz.shop_graph(orange_count=0).edge("total").value == pytest.approx(apples * p["tax"])
    with pytest.raises(TypeError, match="banana"):
        viz.shop_graph(banana_price=1)


def test_show_bitmaps_draws_one_titled_picture_per_digit():
    x, t = data.digit_bitmaps()
    fig = viz.show_bitmaps(x, labels=t, ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 10 and len(fig.axes) == 12  # 3 rows of 4, two left blank
    assert [ax.get_title() for ax in drawn] == [str(d) for d in range(10)]
    np.testing.assert_array_equal(drawn[7].images[0].get_array(), x[7].reshape(8, 6))
