"""Small end-to-end programs in the style of the PyTorch tutorials: a
character-level RNN language model, a tiny GPT, a CNN classifier, a GRU
seq2seq translator with additive attention, REINFORCE and DQN. Each program
is written once against a ``torch``-like module and run twice, on PyTorch and
on autograd_cpp, from the same initial weights and data (float64): every
printed line must be the same text and every logged number must agree to
1e-6. Randomness the programs need (exploration, action choice, replay
sampling) comes from numpy with a fixed seed, so both runs take the same
path."""

import math

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    # PyTorch's thread pool on a busy machine costs more than these small ops
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class Run:
    """What one program run needs: the library, weights shared between the
    two runs (recorded from PyTorch, loaded into ours), and a log."""

    def __init__(self, lib, weights):
        self.lib = lib
        self.weights = weights
        self.lines = []
        self.numbers = []

    def sync(self, key, model):
        model.double()
        if self.lib is torch:
            self.weights[key] = {
                k: v.detach().numpy().copy() for k, v in model.state_dict().items()
            }
        else:
            model.load_state_dict({k: ag.tensor(v) for k, v in self.weights[key].items()})
        return model

    def log(self, fmt, *values):
        self.numbers.extend(float(v) for v in values)
        self.lines.append(fmt.format(*values))


def run_both(program):
    weights = {}
    theirs = Run(torch, weights)
    program(theirs)
    ours = Run(ag, weights)
    program(ours)
    assert ours.lines == theirs.lines
    assert len(ours.numbers) == len(theirs.numbers) > 0
    np.testing.assert_allclose(ours.numbers, theirs.numbers, rtol=1e-6, atol=1e-9)
    return ours


TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "a stitch in time saves nine. all that glitters is not gold. "
) * 4


def char_rnn(run):
    lib = run.lib
    nn = lib.nn
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = lib.tensor([stoi[c] for c in TEXT], dtype=lib.long)

    class CharRNN(nn.Module):
        def __init__(self, vocab, hidden):
            super().__init__()
            self.embed = nn.Embedding(vocab, 16)
            self.rnn = nn.LSTM(16, hidden, num_layers=2, batch_first=True)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, x, state=None):
            out, state = self.rnn(self.embed(x), state)
            return self.head(out), state

    model = run.sync("char_rnn", CharRNN(len(chars), 32))
    opt = lib.optim.Adam(model.parameters(), lr=3e-3)
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    seq, batch = 16, 4
    starts = np.random.default_rng(0).integers(0, len(TEXT) - seq - 1, size=(12, batch))
    for step, rows in enumerate(starts):
        x = lib.stack([data[s : s + seq] for s in rows])
        y = lib.stack([data[s + 1 : s + seq + 1] for s in rows])
        logits, _ = model(x)
        loss = nn.functional.cross_entropy(logits.view(-1, len(chars)), y.view(-1))
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 3 == 0:
            run.log(
                "step {} loss {:.4f} grad norm {:.4f} lr {:.5f}",
                step,
                loss.item(),
                norm,
                sched.get_last_lr()[0],
            )
    # greedy generation, one character at a time through the carried state
    model.eval()
    with lib.no_grad():
        idx, state, out = lib.tensor([[stoi["t"]]]), None, "t"
        for _ in range(10):
            logits, state = model(idx, state)
            probs = logits[:, -1].softmax(-1)
            idx = probs.argmax(-1, keepdim=True)
            out += chars[idx.item()]
            run.log("{:.6f}", probs.max().item())
    run.lines.append(out)


def tiny_gpt(run):
    lib = run.lib
    nn, F = lib.nn, lib.nn.functional
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = lib.tensor([stoi[c] for c in TEXT])
    block, n_embd, n_head = 16, 32, 4

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.register_buffer("bias", lib.tril(lib.ones(block, block)).view(1, 1, block, block))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self, flash):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention()
            self.flash = flash
            self.mlp = nn.Sequential(
                nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd)
            )

        def forward(self, x):
            if self.flash:  # the same attention through the fused function
                B, T, C = x.size()
                qkv = self.attn.c_attn(self.ln_1(x)).view(B, T, 3, n_head, C // n_head)
                q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                x = x + self.attn.c_proj(y.transpose(1, 2).reshape(B, T, C))
            else:
                x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, vocab):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, n_embd), nn.Embedding(block, n_embd)
            self.blocks = nn.ModuleList([Block(False), Block(True)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab, bias=False)
            self.wte.weight = self.lm_head.weight  # weight tying

        def forward(self, idx, targets=None):
            pos = lib.arange(0, idx.size(1), dtype=lib.long)
            x = self.wte(idx) + self.wpe(pos)
            for b in self.blocks:
                x = b(x)
            logits = self.lm_head(self.ln_f(x))
            loss = None
            if targets is not None:
                loss = F.cross_entropy(
                    logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1
                )
            return logits, loss

    model = run.sync("gpt", GPT(len(chars)))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = lib.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-2,
        betas=(0.9, 0.95),
    )
    sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    starts = np.random.default_rng(1).integers(0, len(TEXT) - block - 1, size=(10, 8))
    for it, rows in enumerate(starts):
        x = lib.stack([data[s : s + block] for s in rows])
        y = lib.stack([data[s + 1 : s + block + 1] for s in rows])
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        run.log("iter {}: loss {:.4f}", it, loss.item())
    model.eval()
    with lib.no_grad():
        idx = data[:4].view(1, -1)
        for _ in range(6):
            logits, _ = model(idx[:, -block:])
            v = logits[:, -1, :].max(dim=-1)
            idx = lib.cat((idx, v.indices.view(1, 1)), dim=1)
            run.log("{:.6f}", v.values.item())
    run.lines.append("".join(chars[i] for i in idx[0].tolist()))


def cnn_classifier(run):
    lib = run.lib
    nn, F = lib.nn, lib.nn.functional
    rng = np.random.default_rng(2)
    # 8x8 images of a bright bar: horizontal (class 0), vertical (1) or diagonal (2)
    labels = rng.integers(0, 3, size=96)
    images = rng.normal(0, 0.3, size=(96, 1, 8, 8))
    for i, c in enumerate(labels):
        k = rng.integers(1, 7)
        if c == 0:
            images[i, 0, k, :] += 1
        elif c == 1:
            images[i, 0, :, k] += 1
        else:
            images[i, 0] += np.eye(8)
    ds = lib.utils.data.TensorDataset(lib.tensor(images), lib.tensor(labels))
    train = lib.utils.data.DataLoader(lib.utils.data.Subset(ds, range(64)), batch_size=16)
    test = lib.utils.data.DataLoader(lib.utils.data.Subset(ds, range(64, 96)), batch_size=16)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 16, 3)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(16 * 3 * 3, 32)
            self.fc2 = nn.Linear(32, 3)
            self.dropout = nn.Dropout(0.5)

        def forward(self, x):
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = F.relu(self.conv2(x))
            x = lib.flatten(F.adaptive_avg_pool2d(x, 3), 1)
            x = F.relu(self.fc1(x))
            return F.log_softmax(self.fc2(x), dim=1)

    model = run.sync("cnn", Net())
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
    sched = lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 3], gamma=0.3)
    for epoch in range(4):
        model.train()
        for batch_idx, (data, target) in enumerate(train):
            opt.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            opt.step()
            if batch_idx % 2 == 0:
                run.log(
                    "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}",
                    epoch,
                    batch_idx * len(data),
                    len(train.dataset),
                    100.0 * batch_idx / len(train),
                    loss.item(),
                )
        sched.step()
        model.eval()  # dropout off, batch norm on its running statistics
        test_loss, correct = 0.0, 0
        with lib.no_grad():
            for data, target in test:
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        run.log("Test set: Average loss: {:.4f}, Accuracy: {}/32", test_loss / 32, correct)
    state = model.state_dict()
    run.log(
        "running mean {:.6f}, batches {}",
        state["bn1.running_mean"].sum().item(),
        state["bn1.num_batches_tracked"].item(),
    )


def seq2seq_attention(run):
    lib = run.lib
    nn, F = lib.nn, lib.nn.functional
    SOS, EOS, vocab, hidden = 0, 1, 12, 24
    rng = np.random.default_rng(3)
    # the task: reverse a sequence of tokens 2..11
    pairs = []
    for _ in range(10):
        src = list(rng.integers(2, vocab, size=rng.integers(3, 6)))
        pairs.append((src + [EOS], src[::-1] + [EOS]))

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab, hidden)
            self.gru = nn.GRU(hidden, hidden, batch_first=True)

        def forward(self, x):
            return self.gru(self.embedding(x))

    class BahdanauAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.Wa, self.Ua, self.Va = (
                nn.Linear(hidden, hidden),
                nn.Linear(hidden, hidden),
                nn.Linear(hidden, 1),
            )

        def forward(self, query, keys):
            scores = self.Va(lib.tanh(self.Wa(query) + self.Ua(keys))).squeeze(2).unsqueeze(1)
            weights = F.softmax(scores, dim=-1)
            return lib.bmm(weights, keys), weights

    class AttnDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab, hidden)
            self.attention = BahdanauAttention()
            self.gru = nn.GRU(2 * hidden, hidden, batch_first=True)
            self.out = nn.Linear(hidden, vocab)

        def step(self, token, h, enc_out):
            embedded = self.embedding(token)
            context, weights = self.attention(h.permute(1, 0, 2), enc_out)
            output, h = self.gru(lib.cat((embedded, context), dim=2), h)
            return self.out(output), h, weights

    enc, dec = run.sync("enc", Encoder()), run.sync("dec", AttnDecoder())
    params = list(enc.parameters()) + list(dec.parameters())
    opt = lib.optim.Adam(params, lr=0.01)
    criterion = nn.NLLLoss()
    for epoch in range(2):
        total = 0.0
        for src, tgt in pairs:
            x = lib.tensor([src])
            enc_out, h = enc(x)
            token, loss = lib.tensor([[SOS]]), 0
            for t in tgt:  # teacher forcing
                logits, h, _ = dec.step(token, h, enc_out)
                loss = loss + criterion(F.log_softmax(logits.squeeze(1), dim=-1), lib.tensor([t]))
                token = lib.tensor([[t]])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() / len(tgt)
        run.log("epoch {} avg loss {:.4f}", epoch, total / len(pairs))
    with lib.no_grad():  # greedy decoding, keeping the attention weights
        src = pairs[0][0]
        enc_out, h = enc(lib.tensor([src]))
        token, words, attn = lib.tensor([[SOS]]), [], []
        for _ in range(len(src)):
            logits, h, w = dec.step(token, h, enc_out)
            topv, topi = logits.squeeze().max(0)
            words.append(topi.item())
            attn.append(w)
            token = topi.view(1, 1)
        run.log(
            "attention mass on first source token {:.6f}", lib.cat(attn, 1)[0, :, 0].sum().item()
        )
    run.lines.append(str(words))


class CartPole:
    """CartPole's equations (gym's constants), reset from a numpy generator."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        return self.state.copy()

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot**2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos**2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        self.state = np.array(
            [
                x + 0.02 * x_dot,
                x_dot + 0.02 * x_acc,
                theta + 0.02 * theta_dot,
                theta_dot + 0.02 * theta_acc,
            ]
        )
        done = abs(self.state[0]) > 2.4 or abs(self.state[2]) > 12 * 2 * math.pi / 360
        return self.state.copy(), 1.0, done


def reinforce(run):
    lib = run.lib
    nn = lib.nn
    policy = run.sync(
        "policy", nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2), nn.Softmax(dim=-1))
    )
    opt = lib.optim.Adam(policy.parameters(), lr=1e-2)
    env, noise = CartPole(4), np.random.default_rng(5)
    eps = np.finfo(np.float32).eps.item()
    running = 10.0
    for episode in range(8):
        state, log_probs, rewards = env.reset(), [], []
        for _ in range(60):
            probs = policy(lib.from_numpy(state).unsqueeze(0))
            m = lib.distributions.Categorical(probs)
            # Gumbel-max: a draw from probs, from noise both runs share
            gumbel = lib.tensor(-np.log(-np.log(noise.uniform(size=(1, 2)))))
            action = (probs.log() + gumbel).argmax(-1)
            log_probs.append(m.log_prob(action))
            state, reward, done = env.step(action.item())
            rewards.append(reward)
            if done:
                break
        R, returns = 0.0, []
        for r in rewards[::-1]:
            R = r + 0.99 * R
            returns.insert(0, R)
        returns = lib.tensor(returns, dtype=lib.float64)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        loss = lib.cat([-lp * R for lp, R in zip(log_probs, returns)]).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        running = 0.05 * len(rewards) + 0.95 * running
        entropy = m.entropy().item()
        run.log(
            "Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}\tloss {:.6f}\tentropy {:.6f}",
            episode,
            len(rewards),
            running,
            loss.item(),
            entropy,
        )


def dqn(run):
    lib = run.lib
    nn = lib.nn

    def net():
        return nn.Sequential(
            nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2)
        )

    policy_net = run.sync("q", net())
    target_net = net().double()
    target_net.load_state_dict(policy_net.state_dict())
    opt = lib.optim.AdamW(policy_net.parameters(), lr=1e-3, amsgrad=True)
    env, rng = CartPole(6), np.random.default_rng(7)
    memory, steps = [], 0
    for episode in range(3):
        state = lib.tensor(env.reset()).unsqueeze(0)
        duration = 0
        while duration < 30:
            duration += 1
            eps_threshold = 0.05 + 0.85 * math.exp(-steps / 100)
            steps += 1
            if rng.uniform() > eps_threshold:
                with lib.no_grad():
                    action = policy_net(state).max(1).indices.view(1, 1)
            else:
                action = lib.tensor([[int(rng.integers(2))]], dtype=lib.long)
            obs, reward, done = env.step(action.item())
            next_state = None if done else lib.tensor(obs).unsqueeze(0)
            memory.append((state, action, next_state, lib.tensor([reward])))
            state = next_state
            if len(memory) >= 16:
                batch = [memory[i] for i in rng.choice(len(memory), 16, replace=False)]
                states, actions, nexts, rewards = zip(*batch)
                non_final = lib.tensor([s is not None for s in nexts], dtype=lib.bool)
                non_final_next = lib.cat([s for s in nexts if s is not None])
                q = policy_net(lib.cat(states)).gather(1, lib.cat(actions))
                next_values = lib.zeros(16, dtype=lib.float64)
                with lib.no_grad():
                    next_values[non_final] = target_net(non_final_next).max(1).values
                expected = next_values * 0.99 + lib.cat(rewards)
                loss = nn.SmoothL1Loss()(q, expected.unsqueeze(1))
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_value_(policy_net.parameters(), 100)
                opt.step()
                # soft update of the target network
                target_sd, policy_sd = target_net.state_dict(), policy_net.state_dict()
                for key in policy_sd:
                    target_sd[key] = policy_sd[key] * 0.005 + target_sd[key] * (1 - 0.005)
                target_net.load_state_dict(target_sd)
            if done:
                break
        run.log(
            "episode {} duration {} loss {:.6f}",
            episode,
            duration,
            loss.item() if len(memory) >= 16 else 0.0,
        )


@pytest.mark.parametrize(
    "program",
    [char_rnn, tiny_gpt, cnn_classifier, seq2seq_attention, reinforce, dqn],
    ids=lambda p: p.__name__,
)
def test_program_runs_like_torch(program):
    run_both(program)
