"""A character-level LSTM language model trained on a small generated
corpus, then sampled one character at a time with the hidden state carried
along.

Run:  python examples/char_lstm.py [--compile] [--steps N] [--resume]

Shows: nn.LSTM (2 layers, batch_first, dropout) with its hidden state,
Embedding, AdamW, DataLoader with samplers, a warmup + cosine LambdaLR,
clip_grad_norm_ (which LSTMs need), checkpoint save/resume, torch.compile
behind a flag, and top-k sampling with torch.topk and torch.multinomial.
"""

from __future__ import annotations

from collections.abc import Callable

from charlm import parse_args, train

import autograd_cpp as torch
from autograd_cpp import nn


class CharLSTM(nn.Module):
    def __init__(
        self, vocab_size: int, d_embed: int = 32, hidden: int = 128, layers: int = 2
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_embed)
        self.lstm = nn.LSTM(d_embed, hidden, num_layers=layers, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(
        self, idx: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> torch.Tensor:
        return self.step(idx, state)[0]

    def step(
        self, idx: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


def generate(
    model: nn.Module,
    idx: torch.Tensor,
    n_chars: int,
    draw: Callable[[torch.Tensor], torch.Tensor],
) -> list[int]:
    assert isinstance(model, CharLSTM)
    ids = [int(i) for i in idx[0].tolist()]
    logits, state = model.step(idx)  # the whole prompt once, then one character at a time
    for _ in range(n_chars):
        nxt = draw(logits[:, -1, :])
        ids.append(int(nxt.item()))
        logits, state = model.step(nxt, state)
    return ids


if __name__ == "__main__":
    args = parse_args(__doc__ or "", {"steps": 500, "lr": 1e-2, "out": "char_lstm_output"})
    train(args, lambda vocab, block: CharLSTM(vocab), generate)
