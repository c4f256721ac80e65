"""A character-level GPT (decoder-only transformer with causal
self-attention) trained on a small generated corpus, then sampled.

Run:  python examples/char_gpt.py [--compile] [--steps N] [--resume]

Shows: nn.Module composition, a causal mask kept as a buffer, AdamW with
weight decay, DataLoader with RandomSampler/SequentialSampler, a warmup +
cosine LambdaLR, clip_grad_norm_, checkpoint save/resume, torch.compile
behind a flag, and top-k sampling with torch.topk and torch.multinomial.
"""

from __future__ import annotations

from collections.abc import Callable

from charlm import parse_args, train

import autograd_cpp as torch
from autograd_cpp import nn
from autograd_cpp.nn import functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, block_size: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)
        mask = torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size)
        self.register_buffer("mask", mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head size)
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / (k.size(-1) ** 0.5)
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        att = self.dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, block_size: int, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads, block_size, dropout)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model),
            nn.GELU(),
            nn.Linear(4 * d_model, d_model),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        block_size: int,
        d_model: int = 64,
        n_layers: int = 2,
        n_heads: int = 4,
    ) -> None:
        super().__init__()
        self.block_size = block_size
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(block_size, d_model)
        self.blocks = nn.Sequential(
            *[Block(d_model, n_heads, block_size, dropout=0.1) for _ in range(n_layers)]
        )
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.size(1)
        pos = torch.arange(T, dtype=torch.long)
        x = self.tok_emb(idx) + self.pos_emb(pos)
        return self.head(self.ln_f(self.blocks(x)))


def generate(
    model: nn.Module,
    idx: torch.Tensor,
    n_chars: int,
    draw: Callable[[torch.Tensor], torch.Tensor],
) -> list[int]:
    assert isinstance(model, GPT)
    for _ in range(n_chars):
        logits = model(idx[:, -model.block_size :])
        idx = torch.cat([idx, draw(logits[:, -1, :])], dim=1)
    return [int(i) for i in idx[0].tolist()]


if __name__ == "__main__":
    args = parse_args(__doc__ or "", {"steps": 600, "lr": 3e-3, "out": "char_gpt_output"})
    train(args, lambda vocab, block: GPT(vocab, block), generate)
