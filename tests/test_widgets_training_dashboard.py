"""The training dashboard of lesson 08: the pure training function, headless, then the widget
driven as a student would drive it (sliders moved, Train pressed)."""

import matplotlib

matplotlib.use("Agg")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpkit.widgets.training_dashboard import (  # noqa: E402
    TrainingDashboard,
    draw_snapshot,
    iter_training,
    network_at,
    train_and_snapshot,
    training_dashboard,
)

pytestmark = pytest.mark.lesson08


def test_xor_is_learned_and_the_loss_falls():
    run = train_and_snapshot("xor", hidden_size=8, lr=0.5, steps=400, seed=0, every=100)
    history = run["history"]
    assert len(history) == 400
    assert history[-1] < 0.1 * history[0]
    final = run["snapshots"][-1]
    assert final["accuracy"] == 1.0
    assert [s["step"] for s in run["snapshots"]] == [0, 100, 200, 300, 400]


def test_snapshots_hold_the_network_of_their_step():
    run = train_and_snapshot("spiral", hidden_size=20, lr=1.0, steps=300, seed=1, every=150)
    first, middle, last = run["snapshots"]
    assert first["history"] == [] and len(middle["history"]) == 150
    # Parameters differ between snapshots: each is a copy taken at its step, not a reference.
    assert not np.array_equal(first["params"]["W1"], last["params"]["W1"])
    # Rebuilding the network from a snapshot reproduces that snapshot's accuracy.
    for snap in (first, last):
        assert network_at(snap).accuracy(snap["x"], snap["t"]) == snap["accuracy"]
    assert last["accuracy"] > first["accuracy"]


def test_one_hidden_unit_cannot_fit_the_spiral_but_many_can():
    narrow = train_and_snapshot("spiral", hidden_size=1, lr=1.0, steps=600, seed=0, every=600)
    wide = train_and_snapshot("spiral", hidden_size=30, lr=1.0, steps=600, seed=0, every=600)
    assert wide["snapshots"][-1]["accuracy"] > narrow["snapshots"][-1]["accuracy"] + 0.2


def test_too_large_a_learning_rate_fails_visibly_and_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning escaping would raise here
        good = train_and_snapshot("xor", hidden_size=8, lr=0.5, steps=300, seed=0, every=300)
        wild = train_and_snapshot("xor", hidden_size=8, lr=10.0, steps=300, seed=0, every=300)
    assert np.all(np.isfinite(wild["history"]))
    assert wild["snapshots"][-1]["loss"] > 10 * good["snapshots"][-1]["loss"]
    assert wild["snapshots"][-1]["accuracy"] < 1.0


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="dataset must be one of"):
        next(iter_training("moons"))
    with pytest.raises(ValueError, match="every >= 1"):
        next(iter_training(every=0))


def test_draw_snapshot_shows_the_loss_so_far_and_the_boundary():
    run = train_and_snapshot("xor", hidden_size=8, lr=0.5, steps=200, seed=0, every=100)
    fig = draw_snapshot(run["snapshots"][1], total_steps=200)
    loss_ax, boundary_ax = fig.axes[:2]
    (curve,) = loss_ax.get_lines()
    assert len(curve.get_xdata()) == 100  # the loss of steps 1..100, not the whole run
    assert loss_ax.get_xlim()[1] == 200
    assert "accuracy" in boundary_ax.get_title()
    assert boundary_ax.images  # the coloured regions


def test_the_widget_redraws_when_a_slider_moves_and_trains_on_click():
    dashboard = training_dashboard(dataset="xor", hidden_size=4, lr=0.5, steps=100)
    assert isinstance(dashboard, TrainingDashboard)
    first_picture = dashboard.image.value
    assert first_picture and dashboard.frames == 1 and dashboard.snapshot["step"] == 0

    dashboard.hidden_size.value = 12  # a new untrained network is drawn at once
    assert dashboard.frames == 2
    assert dashboard.snapshot["hidden_size"] == 12
    assert dashboard.image.value != first_picture

    dashboard.steps.value = 200
    frames_before = dashboard.frames
    dashboard.train_button.click()
    # Redrawn along the way (every 200 // 10 = 20 steps), not only at the end.
    assert dashboard.frames - frames_before == 11
    assert dashboard.snapshot["step"] == 200
    assert dashboard.snapshot["accuracy"] == 1.0
    assert "step 200 of 200" in dashboard.status.value
    assert not dashboard.train_button.disabled


def test_switching_to_the_spiral_changes_the_data_shown():
    dashboard = TrainingDashboard(steps=50)
    dashboard.dataset.value = "spiral"
    assert dashboard.snapshot["dataset"] == "spiral"
    assert len(dashboard.snapshot["x"]) == 180
    dashboard.lr.value = 1e1
    dashboard.train()
    assert dashboard.snapshot["step"] == 50
