"""The GradientTape tutorial (seed 002) on autograd_cpp: TensorFlow's code
with ``from autograd_cpp import tf`` in place of ``import tensorflow as tf``.
Saves the sigmoid/derivative plot as sigmoid.png (or --out PATH).

Run:  python examples/gradient_tape.py
"""

import argparse

from autograd_cpp import tf

parser = argparse.ArgumentParser()
parser.add_argument("--out", default="sigmoid.png")
args = parser.parse_args()

# 1. Training a variable by gradient descent: 8.0 = 2.0 * x
a, y = tf.constant(2.0), tf.constant(8.0)
x = tf.Variable(10.0)  # In practice, we start with a random value
loss = tf.math.abs(a * x - y)
print(loss)


def train_func(x: tf.Variable) -> None:
    with tf.GradientTape() as tape:
        loss = tf.math.abs(a * x - y)

    # calculate gradient
    dx = tape.gradient(loss, x)
    print(f"x = {x.numpy()}, dx = {dx:.2f}")

    # update x <- x - dx
    x.assign(x - dx)


for _ in range(4):
    train_func(x)

# 2. dy/dx of y = x ** 2 at x = 4
x = tf.Variable(4.0)
with tf.GradientTape() as tape:
    y = x**2
dy_dx = tape.gradient(y, x)
print(dy_dx.numpy())
print([var.name for var in tape.watched_variables()])

# Gradients with respect to several variables
w = tf.Variable(tf.random.normal((4, 2)), name="w")
b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
x = [[1.0, 2.0, 3.0, 4.0]]
with tf.GradientTape(persistent=True) as tape:
    y = x @ w + b
    loss = tf.reduce_mean(y**2)
[dl_dw, dl_db] = tape.gradient(loss, [w, b])
print("loss:", loss)
print("w:", w)
print("b:", b)
print("shape of w:", w.shape)
print("shape of dl_dw:", dl_dw.shape)

# 3. The sigmoid and its derivative
x = tf.linspace(-10.0, 10.0, 200 + 1)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.nn.sigmoid(x)
dy_dx = tape.gradient(y, x)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.figure()
plt.plot(x, y, "r-", label="y = sigmoid(x)")
plt.plot(x, dy_dx, "b--", label="dy/dx = sigmoid(x) (1 - sigmoid(x))")
plt.title("The sigmoid and its derivative from GradientTape")
plt.xlabel("x")
plt.ylabel("value")
plt.grid(alpha=0.3)
plt.legend()
plt.savefig(args.out)
plt.close()
print("max of dy/dx:", float(dy_dx.max()), "at x =", float(x[dy_dx.argmax()]))
print(f"wrote {args.out}")

# 4. Which sources get gradients
x0 = tf.Variable(3.0, name="x0")  # A trainable variable
x1 = tf.Variable(3.0, name="x1", trainable=False)  # Not trainable
x2 = tf.Variable(2.0, name="x2") + 1.0  # Not a Variable: a variable + tensor is a tensor
x3 = tf.constant(3.0, name="x3")  # Not a variable
with tf.GradientTape() as tape:
    y = (x0**2) + (x1**2) + (x2**2)
grad = tape.gradient(y, [x0, x1, x2, x3])
for g in grad:
    print(g)

x = tf.constant(3.0)
with tf.GradientTape() as tape:
    tape.watch(x)  # watch 'x' and then record it onto tape
    y = x**2
dy_dx = tape.gradient(y, x)
print(dy_dx.numpy())

x0 = tf.Variable(0.0)
x1 = tf.Variable(10.0)
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(x1)
    y0 = tf.math.sin(x0)
    y1 = tf.nn.softplus(x1)
    y = y0 + y1
    ys = tf.reduce_sum(y)
grad = tape.gradient(ys, {"x0": x0, "x1": x1})
print("dy/dx0:", grad["x0"])
print("dy/dx1:", grad["x1"].numpy())

# 5. Python control flow
x = tf.constant(1.0)
v0 = tf.Variable(2.0)
v1 = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    if x > 0.0:
        result = v0
    else:
        result = v1**2
dv0, dv1 = tape.gradient(result, [v0, v1])
print("dv0:", dv0)
print("dv1:", dv1)
