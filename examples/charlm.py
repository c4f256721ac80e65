"""What the two character-level language models share: a small generated
corpus, the dataset of (input, next-character) windows, the training loop
(DataLoader with samplers, warmup + cosine LambdaLR, clip_grad_norm_,
checkpoint save/resume, optional torch.compile) and sampling with
temperature and top-k through torch.multinomial.

The models themselves are in char_gpt.py and char_lstm.py; each takes the
command-line flags defined here (run either with --help).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import autograd_cpp as torch
from autograd_cpp import nn
from autograd_cpp.nn import functional as F
from autograd_cpp.utils.data import DataLoader, Dataset, RandomSampler, SequentialSampler


def make_corpus(n_sentences: int = 1500, seed: int = 0) -> str:
    """Sentences from a tiny grammar: varied enough to need context, regular
    enough for a small model to learn in seconds."""
    rng = random.Random(seed)
    subjects = ["the cat", "a dog", "my friend", "the old man", "a small bird", "the teacher"]
    verbs = ["sees", "likes", "finds", "follows", "draws", "hears", "calls"]
    objects = ["the river", "a red ball", "the moon", "an apple", "the garden", "a letter"]
    endings = [".", " today.", " at night.", " again."]
    lines = []
    for _ in range(n_sentences):
        sentence = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        if rng.random() < 0.3:
            sentence += f" and {rng.choice(verbs)} {rng.choice(objects)}"
        lines.append(sentence + rng.choice(endings))
    return "\n".join(lines) + "\n"


class CharDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Every window of block_size characters, with the next characters as targets."""

    def __init__(self, data: torch.Tensor, block_size: int) -> None:
        self.data = data
        self.block_size = block_size

    def __len__(self) -> int:
        return len(self.data) - self.block_size

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        chunk = self.data[i : i + self.block_size + 1]
        return chunk[:-1], chunk[1:]


def parse_args(description: str, defaults: dict[str, Any]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--steps", type=int, default=defaults["steps"])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--block-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=defaults["lr"])
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--compile", action="store_true", help="run the model through torch.compile")
    p.add_argument("--out", type=Path, default=Path(defaults["out"]))
    p.add_argument("--resume", action="store_true", help="continue from OUT/ckpt.pt")
    p.add_argument("--sample-chars", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--top-k", type=int, default=10)
    p.add_argument("--seed", type=int, default=1337)
    return p.parse_args()


class Vocabulary:
    def __init__(self, text: str) -> None:
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index[c] for c in text], dtype=torch.long)

    def decode(self, ids: list[int]) -> str:
        return "".join(self.chars[i] for i in ids)


def next_token_logits_to_sample(
    logits: torch.Tensor, temperature: float, top_k: int, generator: torch.Generator
) -> torch.Tensor:
    """One sampled id per row: logits scaled by the temperature, all but the
    top_k set to -inf, then a draw from the softmax."""
    logits = logits / temperature
    if top_k > 0:
        top, _ = torch.topk(logits, min(top_k, logits.size(-1)))
        logits = logits.masked_fill(logits < top[:, [-1]], float("-inf"))
    probs = F.softmax(logits, dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator)


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, max_batches: int = 20) -> float:
    model.eval()
    losses: list[float] = []
    for i, (x, y) in enumerate(loader):
        if i == max_batches:
            break
        logits = model(x)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1)).item())
    model.train()
    return sum(losses) / len(losses)


def train(
    args: argparse.Namespace,
    build_model: Callable[[int, int], nn.Module],
    generate: Callable[
        [nn.Module, torch.Tensor, int, Callable[[torch.Tensor], torch.Tensor]], list[int]
    ],
) -> str:
    """Trains (or resumes), prints progress, saves OUT/ckpt.pt and returns a
    sample of generated text."""
    torch.manual_seed(args.seed)
    text = make_corpus()
    vocab = Vocabulary(text)
    data = vocab.encode(text)
    split = int(0.9 * len(data))
    train_set = CharDataset(data[:split], args.block_size)
    val_set = CharDataset(data[split:], args.block_size)

    model = build_model(len(vocab), args.block_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    warmup, steps = int(args.warmup), int(args.steps)

    def lr_factor(step: int) -> float:  # linear warmup, then cosine decay to 10%
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.45 * (1 + math.cos(math.pi * min(progress, 1.0)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    start = 0
    ckpt_path = args.out / "ckpt.pt"
    if args.resume:
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        start = ckpt["step"]
        print(f"resumed from {ckpt_path} at step {start} (val loss {ckpt['val_loss']:.4f})")

    step_model = torch.compile(model) if args.compile else model
    generator = torch.Generator().manual_seed(args.seed + start)
    sampler = RandomSampler(
        train_set,
        replacement=True,
        num_samples=max(0, args.steps - start) * args.batch_size,
        generator=generator,
    )
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, sampler=sampler, drop_last=True
    )
    val_loader = DataLoader(val_set, batch_size=64, sampler=SequentialSampler(val_set))

    print(f"{sum(p.numel() for p in model.parameters())} parameters, vocabulary {len(vocab)}")
    step = start
    val_loss = float("nan")
    t0 = time.perf_counter()
    for x, y in train_loader:
        logits = step_model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        scheduler.step()
        step += 1
        if step % args.eval_every == 0 or step == args.steps:
            val_loss = evaluate(model, val_loader)
            elapsed = time.perf_counter() - t0
            print(
                f"step {step:4d} | train loss {loss.item():.4f} | val loss {val_loss:.4f} | "
                f"grad norm {norm.item():6.3f} | lr {scheduler.get_last_lr()[0]:.2e} | "
                f"{elapsed:.1f}s"
            )

    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "step": step,
            "val_loss": val_loss,
        },
        ckpt_path,
    )
    print(f"saved {ckpt_path}")

    model.eval()
    prompt = vocab.encode("the ")[None, :]
    sample_gen = torch.Generator().manual_seed(args.seed)

    def draw(logits: torch.Tensor) -> torch.Tensor:
        return next_token_logits_to_sample(logits, args.temperature, args.top_k, sample_gen)

    with torch.no_grad():
        ids = generate(model, prompt, args.sample_chars, draw)
    sample = vocab.decode(ids)
    print("--- sample ---")
    print(sample)
    return sample
