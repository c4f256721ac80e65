"""GradientTape and Variable: the examples of seed 002 with the numbers it
prints, the recording-window rules, and agreement with PyTorch."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import tf
from oracle import requires_torch, torch


def test_training_loop_from_the_seed():
    a, y = tf.constant(2.0), tf.constant(8.0)
    x = tf.Variable(10.0)
    seen = []
    for _ in range(4):
        with tf.GradientTape() as tape:
            loss = tf.math.abs(a * x - y)
        dx = tape.gradient(loss, x)
        seen.append((float(x.numpy()), float(dx)))
        x.assign(x - dx)
    assert seen == [(10.0, 2.0), (8.0, 2.0), (6.0, 2.0), (4.0, 0.0)]


def test_square_and_watched_variables():
    x = tf.Variable(4.0)
    with tf.GradientTape() as tape:
        y = x**2
    assert float(tape.gradient(y, x).numpy()) == 8.0
    assert [v.name for v in tape.watched_variables()] == ["Variable:0"]


def test_persistent_tape_gradients_have_source_shapes():
    w = tf.Variable(tf.random.normal((4, 2)), name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    x = [[1.0, 2.0, 3.0, 4.0]]
    with tf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)
    dl_dw, dl_db = tape.gradient(loss, [w, b])
    assert tuple(dl_dw.shape) == (4, 2) and tuple(dl_db.shape) == (2,)
    again = tape.gradient(loss, {"w": w})  # persistent: can ask again
    assert np.allclose(again["w"].numpy(), dl_dw.numpy())
    assert repr(b) == (
        "<tf.Variable 'b:0' shape=(2,) dtype=float32, numpy=\narray([0., 0.], dtype=float32)>"
    )
    assert (
        repr(tf.Variable(3.0, name="x0"))
        == "<tf.Variable 'x0:0' shape=() dtype=float32, numpy=3.0>"
    )


def test_sigmoid_derivative_over_201_points():
    x = tf.linspace(-10.0, 10.0, 200 + 1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)
    dy_dx = tape.gradient(y, x)  # a non-scalar target is summed
    s = 1 / (1 + np.exp(-x.detach().numpy().astype(np.float64)))
    assert dy_dx.shape == (201,)
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)


def test_which_sources_get_gradients():
    x0 = tf.Variable(3.0, name="x0")
    x1 = tf.Variable(3.0, name="x1", trainable=False)
    x2 = tf.Variable(2.0, name="x2") + 1.0
    x3 = tf.constant(3.0, name="x3")
    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2)
    grad = tape.gradient(y, [x0, x1, x2, x3])
    assert float(grad[0]) == 6.0 and grad[1:] == [None, None, None]


def test_watch_constant_and_watch_accessed_variables_false():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    assert float(tape.gradient(y, x).numpy()) == 6.0
    x0, x1 = tf.Variable(0.0), tf.Variable(10.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        ys = tf.reduce_sum(tf.math.sin(x0) + tf.nn.softplus(x1))
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})
    assert grad["x0"] is None
    assert abs(float(grad["x1"].numpy()) - 0.9999546) < 1e-6
    assert [v.name for v in tape.watched_variables()] == ["Variable:0"]


def test_python_control_flow():
    x = tf.constant(1.0)
    v0, v1 = tf.Variable(2.0), tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        result = v0 if x > 0.0 else v1**2
    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert float(dv0) == 1.0 and dv1 is None


def test_only_the_recording_window_is_differentiated():
    x = tf.Variable(3.0)
    before = x * 2  # before the tape: not recorded
    with tf.GradientTape(persistent=True) as tape:
        inside = x * 5
        with tape.stop_recording():
            paused = x * 7
        y = before + inside + paused
    after = y * 100  # after the tape: not recorded
    assert float(tape.gradient(y, x)) == 5.0
    assert tape.gradient(after, x) is None
    assert float(tape.gradient(y, x, unconnected_gradients="zero")) == 5.0
    assert float(tape.gradient(before, x, unconnected_gradients="zero")) == 0.0


def test_non_persistent_tape_answers_once():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(
        RuntimeError, match="A non-persistent GradientTape can only be used to compute one set"
    ):
        tape.gradient(y, x)


def test_nested_tapes_give_second_derivatives_and_output_gradients():
    x = tf.Variable(1.5)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == pytest.approx(3 * 1.5**2) and float(d2y) == pytest.approx(6 * 1.5)
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        z = v * v
    g = tape.gradient(z, v, output_gradients=tf.constant([10.0, 100.0]))
    assert g.tolist() == [20.0, 400.0]


def test_nested_structures_and_jacobian():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = a * b
    grads = tape.gradient(y, {"outer": [a, (b,)]})
    assert grads["outer"][0].tolist() == [3.0, 3.0] and float(grads["outer"][1][0]) == 3.0
    jac = tape.jacobian(y, a)
    assert jac.tolist() == [[3.0, 0.0], [0.0, 3.0]]


def test_variable_assign_is_not_recorded():
    v = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = v * 2
        v.assign_add(5.0)
        v.assign_sub(1.0)
    assert float(v.numpy()) == 5.0 and tape.gradient(y, v) is not None
    assert isinstance(v + 1.0, ag.Tensor) and not isinstance(v + 1.0, tf.Variable)


@requires_torch
def test_tape_gradients_equal_torch():
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((3, 2)), rng.standard_normal((4, 3))
    w = tf.Variable(w0, dtype=tf.float64)
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.softplus(x @ w) ** 2)
    ours = tape.gradient(loss, w).numpy()
    tw = torch.tensor(w0, requires_grad=True)
    torch.nn.functional.softplus(torch.tensor(x0) @ tw).pow(2).mean().backward()
    np.testing.assert_allclose(ours, tw.grad.numpy(), rtol=1e-12)


def test_the_seed_script_runs(tmp_path):
    script = Path(__file__).resolve().parents[1] / "examples" / "gradient_tape.py"
    out = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path / "sigmoid.png")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    for line in (
        "x = 10.0, dx = 2.00",
        "x = 4.0, dx = 0.00",
        "8.0",
        "['Variable:0']",
        "dy/dx1: 0.9999546",
        "dv1: None",
    ):
        assert line in out.stdout
    assert (tmp_path / "sigmoid.png").stat().st_size > 0


# ---- the contract in detail: dtypes, structures, messages, tape state ------------------


def test_constant_dtypes_follow_tensorflow():
    # TensorFlow: Python ints make int32, floats and float64 arrays make float32.
    assert tf.constant(3).dtype == tf.int32
    assert tf.constant(2.5).dtype == tf.float32
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant(np.array([1.0, 2.0])).dtype == tf.float32
    assert tf.constant(np.array([1.0]), dtype=tf.float64).dtype == tf.float64
    assert tf.constant([1.0, 2.0, 3.0, 4.0], shape=(2, 2)).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_variable_arithmetic_with_python_lists():
    v = tf.Variable([1.0, 2.0])
    assert (v + [10.0, 20.0]).tolist() == [11.0, 22.0]
    assert ([10.0, 20.0] - v).tolist() == [9.0, 18.0]
    assert (v * (3.0, 4.0)).tolist() == [3.0, 8.0]
    w = tf.Variable([[1.0], [2.0]])
    assert ([[3.0, 4.0]] @ w).tolist() == [[11.0]]


def test_gradient_into_a_dict_of_three_sources():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = 5 * a + 7 * b + 11 * c
    g = tape.gradient(y, {"a": a, "b": b, "c": c})
    assert {k: float(v) for k, v in g.items()} == {"a": 5.0, "b": 7.0, "c": 11.0}


def test_gradient_into_a_list_of_three_sources():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = 5 * a + 7 * b + 11 * c
    assert [float(v) for v in tape.gradient(y, [a, b, c])] == [5.0, 7.0, 11.0]


def test_stop_recording_needs_a_recording_tape():
    tape = tf.GradientTape()
    message = r"^Tape\.stop_recording\(\) can only be called while the tape is recording\.$"
    with pytest.raises(RuntimeError, match=message):
        tape.stop_recording()
    with tape:
        pass
    with pytest.raises(RuntimeError, match=message):
        tape.stop_recording()


def test_persistent_tape_warns_only_inside_its_block():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        with pytest.warns(UserWarning) as record:
            tape.gradient(y, x)
    assert str(record[0].message) == (
        "Calling GradientTape.gradient on a persistent tape inside its context is "
        "significantly less efficient than calling it outside the context."
    )
    # Reported at the caller's line, outside the library.
    assert not record[0].filename.startswith(str(Path(ag.__file__).parent))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(tape.gradient(y, x)) == 4.0


def test_second_gradient_message_says_how_to_fix_it():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError) as info:
        tape.gradient(y, x)
    assert str(info.value) == (
        "A non-persistent GradientTape can only be used to compute one set of gradients "
        "(or jacobians). Pass all targets in one gradient() call (a list of targets is "
        "summed), or create the tape with GradientTape(persistent=True) to ask several times."
    )


def test_a_lone_tape_gives_plain_gradients_inside_its_block():
    # Only an enclosing tape that is still recording asks for a differentiable
    # gradient; a tape differentiating itself gives a plain tensor.
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
        g = tape.gradient(y, x)
    assert float(g) == 6.0 and g.grad_fn is None and not g.requires_grad


def test_a_constant_target_has_no_gradient():
    x = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as tape:
        y = tf.constant(3.0)
    assert tape.gradient(y, x) is None
    assert float(tape.gradient(y, x, unconnected_gradients="zero")) == 0.0


def test_output_gradients_take_the_targets_dtype():
    v = tf.Variable([1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        z = v * v
    g = tape.gradient(z, v, output_gradients=np.array([0.1, 3.0]))
    assert g.dtype == tf.float64 and g.tolist() == [0.2, 12.0]


def test_bad_arguments_say_what_is_wrong():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2
    with pytest.raises(ValueError, match=r"^Unknown value for unconnected_gradients: 'zeros'$"):
        tape.gradient(y, x, unconnected_gradients="zeros")
    with pytest.raises(
        ValueError,
        match=r"^Passed in object 3 of type 'int', not tf\.Tensor or tf\.Variable\.$",
    ):
        tape.watch(3)


def test_jacobian_of_an_unconnected_source():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable([5.0, 6.0, 7.0])
    with tf.GradientTape(persistent=True) as tape:
        y = a * 2
    assert tape.jacobian(y, b) is None
    zeros = tape.jacobian(y, b, unconnected_gradients="zero")
    assert tuple(zeros.shape) == (2, 3) and zeros.abs().sum().item() == 0.0


def test_jacobian_uses_up_a_non_persistent_tape():
    a = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = a * a
    assert tape.jacobian(y, a).tolist() == [[2.0, 0.0], [0.0, 4.0]]
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape"):
        tape.gradient(y, a)
