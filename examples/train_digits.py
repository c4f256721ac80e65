"""Trains an MLP and a small CNN on scikit-learn's 8x8 digits with
autograd_cpp, PyTorch-style.

Shows a progress bar per epoch (loss and accuracy), prints test accuracy,
plots the training curves, draws the MLP's backward graph, saves each model,
reloads it and checks the reloaded model scores the same.

Run:  pip install ".[examples]" && python examples/train_digits.py
Outputs go to ./digits_output (or --out DIR).
"""

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import autograd_cpp as torch
from autograd_cpp import nn, viz
from autograd_cpp.utils.data import DataLoader, TensorDataset


def load_data(seed: int) -> list[torch.Tensor]:
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)  # 1797 images, 8x8, in [0, 1]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=seed, stratify=y
    )
    return [torch.from_numpy(a) for a in (x_train, x_test, y_train, y_test)]


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 256),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x.unsqueeze(1)))


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
    model.train()
    loss = nn.functional.cross_entropy(logits, y).item()
    return loss, float((logits.argmax(1) == y).float().mean())


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return evaluate(model, x, y)[1]


def train(
    name: str, model: nn.Module, data: list[torch.Tensor], epochs: int, lr: float, seed: int
) -> dict[str, list[float]]:
    x_train, x_test, y_train, y_test = data
    loader = DataLoader(
        TensorDataset(x_train, y_train),
        batch_size=64,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {
        "loss": [],
        "test_loss": [],
        "train_acc": [],
        "test_acc": [],
    }
    for epoch in range(1, epochs + 1):
        total, correct, seen = 0.0, 0, 0
        # The bar is advanced by hand: iterating tqdm(loader) only publishes its
        # count every 0.1 s, so on fast epochs the postfix changed while the
        # bar still read 0%.
        with tqdm(
            total=len(loader), desc=f"{name} epoch {epoch:2d}/{epochs}", leave=False, ncols=90
        ) as bar:
            for xb, yb in loader:
                logits = model(xb)
                loss = loss_fn(logits, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(yb)
                correct += int((logits.argmax(1) == yb).sum())
                seen += len(yb)
                bar.set_postfix(
                    loss=f"{total / seen:.3f}", acc=f"{correct / seen:.3f}", refresh=False
                )
                bar.update(1)
        sched.step()
        test_loss, test_acc = evaluate(model, x_test, y_test)
        history["loss"].append(total / seen)
        history["test_loss"].append(test_loss)
        history["train_acc"].append(correct / seen)
        history["test_acc"].append(test_acc)
        tqdm.write(
            f"{name} epoch {epoch:2d}: loss {history['loss'][-1]:.4f}  "
            f"test loss {test_loss:.4f}  "
            f"train acc {history['train_acc'][-1]:.3f}  test acc {test_acc:.3f}"
        )
    return history


def plot(histories: dict[str, dict[str, list[float]]], path: Path) -> None:
    import matplotlib.pyplot as plt

    fig = figure(histories)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def figure(histories: dict[str, dict[str, list[float]]]) -> Any:
    """Loss and accuracy per epoch, training (dashed) and test (solid) for
    each model; the axes cover every point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.5))
    for i, (name, h) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = range(1, len(h["loss"]) + 1)
        ax_loss.plot(epochs, h["loss"], "--", color=color, label=f"{name} train")
        ax_loss.plot(epochs, h["test_loss"], "-", color=color, label=f"{name} test")
        ax_acc.plot(epochs, h["train_acc"], "--", color=color, label=f"{name} train")
        ax_acc.plot(epochs, h["test_acc"], "-", color=color, label=f"{name} test")
    # Losses span orders of magnitude as training converges.
    ax_loss.set(title="loss", xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log")
    lowest = min(min(h["train_acc"] + h["test_acc"]) for h in histories.values())
    ax_acc.set(title="accuracy", xlabel="epoch", ylabel="fraction correct")
    ax_acc.set_ylim(max(0.0, lowest - 0.02), 1.005)  # room above 1.0 for curves that reach it
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("scikit-learn digits: MLP and CNN trained with autograd_cpp")
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="digits_output")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    data = load_data(args.seed)
    x_test, y_test = data[1], data[3]

    start = time.perf_counter()
    results: dict[str, float] = {}
    histories: dict[str, dict[str, list[float]]] = {}
    for name, model, lr, target in (("MLP", MLP(), 3e-3, 0.97), ("CNN", CNN(), 3e-3, 0.98)):
        histories[name] = train(name, model, data, args.epochs, lr, args.seed)
        acc = accuracy(model, x_test, y_test)
        path = out / f"{name.lower()}.agc"
        torch.save(model.state_dict(), path)
        reloaded = type(model)()
        reloaded.load_state_dict(torch.load(path))
        reloaded_acc = accuracy(reloaded, x_test, y_test)
        results[name] = acc
        print(
            f"{name}: test accuracy {acc:.4f} (target {target}), reloaded from {path}: {reloaded_acc:.4f}"
        )
        if abs(reloaded_acc - acc) > 1e-9:
            raise SystemExit(f"{name}: the reloaded model scores differently")
        if acc < target:
            raise SystemExit(f"{name}: accuracy {acc:.4f} is below the target {target}")

    mlp = MLP()
    loss = nn.CrossEntropyLoss()(mlp(x_test[:4]), y_test[:4])
    viz.render(loss, out / "mlp_graph.svg", params=dict(mlp.named_parameters()))
    plot(histories, out / "training_curves.png")
    print(f"wrote {out / 'training_curves.png'} and {out / 'mlp_graph.svg'}")
    print(f"total time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
