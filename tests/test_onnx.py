"""ONNX export: exported models pass onnx.checker and give eager's outputs in
onnxruntime on two batch sizes; ops without an ONNX form are named."""

import io
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_cpp as torch
import autograd_cpp.nn.functional as F
from autograd_cpp import _C, nn

try:
    import onnx
    import onnxruntime as ort
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise
    onnx = None

pytestmark = pytest.mark.skipif(
    onnx is None, reason="onnx and onnxruntime (the [onnx] extra) missing"
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))


def export_and_run(model, example, batches=(3, 7), tol=1e-5, opset=None, make=None, **kwargs):
    """Exports with a dynamic batch axis, checks the model, runs it in
    onnxruntime on inputs of each batch size and compares with eager."""
    examples = example if isinstance(example, tuple) else (example,)
    names = [f"in{i}" for i in range(len(examples))]
    buf = io.BytesIO()
    torch.onnx.export(
        model,
        examples,
        buf,
        input_names=names,
        output_names=["out"],
        dynamic_axes={**{n: {0: "batch"} for n in names}, "out": {0: "batch"}},
        opset_version=opset,
        **kwargs,
    )
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    training = getattr(model, "training", False)
    model.eval()
    for batch in batches:
        feeds = (
            make(batch)
            if make
            else tuple(torch.randn(batch, *e.shape[1:], dtype=e.dtype) for e in examples)
        )
        with torch.no_grad():
            expected = model(*feeds).numpy()
        got = session.run(None, {n: t.numpy() for n, t in zip(names, feeds)})[0]
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    model.train(training)
    return proto


def test_digits_mlp():
    from train_digits import MLP

    torch.manual_seed(0)
    proto = export_and_run(MLP(), torch.randn(2, 8, 8))
    assert [i.name for i in proto.graph.input] == ["in0"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert {n.op_type for n in proto.graph.node} >= {"Gemm", "Relu", "Reshape"}


def test_digits_cnn():
    from train_digits import CNN

    torch.manual_seed(0)
    model = CNN()
    model(torch.randn(8, 8, 8))  # training-mode pass: running statistics move
    proto = export_and_run(model, torch.randn(2, 8, 8))
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "BatchNormalization", "MaxPool"}
    assert model.training  # the mode is restored after the export


class Functional(nn.Module):
    """A forward written with functional ops and Tensor methods."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.norm = nn.LayerNorm(8)
        self.bn = nn.BatchNorm1d(4)
        self.fc = nn.Linear(8, 5)
        self.scale = nn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        h = self.bn(self.conv(x))  # (B, 4, 8)
        h = F.gelu(self.norm(h)) + F.silu(h) * self.scale
        h = torch.cat([h, h.transpose(1, 2).transpose(1, 2) - 1.0], dim=1)  # (B, 8, 8)
        h = h[:, 1:7, ::2]  # (B, 6, 4)
        h = h.reshape(h.size(0), -1)  # (B, 24)
        a, b = h.chunk(2, dim=1)
        h = torch.stack([a, b.tanh()], dim=1).flatten(1)  # (B, 24)
        h = F.leaky_relu(h[:, :8], 0.1) + F.softplus(h[:, 8:16]) - torch.sigmoid(h[:, 16:])
        h = self.fc(F.elu(h) ** 2 / 3 + h.abs().sqrt().clamp(max=2.0))
        w = F.softmax(h, dim=-1) * h.exp().log1p() + h.mean(dim=1, keepdim=True)
        return F.log_softmax(w.unsqueeze(1).squeeze(1), dim=1) + w.sum(1, keepdim=True).neg()


def test_functional_ops_and_methods():
    torch.manual_seed(0)
    model = Functional()
    model(torch.randn(6, 3, 8))
    export_and_run(model, torch.randn(2, 3, 8))


@pytest.mark.parametrize("opset", [13, 17, 18])
def test_opsets(opset):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(6, 6), nn.LayerNorm(6), nn.ReLU())

    class Pool(nn.Module):
        def forward(self, x):
            return model(x).mean(dim=1) + x.amax(dim=1)

    export_and_run(Pool(), torch.randn(2, 4, 6), opset=opset)


def test_embedding_with_integer_inputs_and_float64():
    torch.manual_seed(2)

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(20, 6)
            self.out = nn.Linear(6, 3).double()

        def forward(self, tokens):
            return self.out(self.embed(tokens).mean(dim=1).double())

    model = Bag()

    def make(batch):
        return (torch.randint(0, 20, (batch, 5)),)

    proto = export_and_run(model, make(2)[0], make=make)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert proto.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


def test_pooling_and_conv_variants():
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=1),
        nn.AvgPool2d(2),
        nn.Conv2d(4, 4, 3, padding="same", dilation=2, groups=2),
        nn.MaxPool2d(2, stride=1, ceil_mode=True),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Softplus(beta=2.0, threshold=1.0),
        nn.LogSigmoid(),
    )
    export_and_run(model, torch.randn(2, 2, 12, 12))


def test_unsupported_op_is_named():
    class Cumulative(nn.Module):
        def forward(self, x):
            return x.cumsum(1)

    with pytest.raises(torch.onnx.UnsupportedOperatorError, match="'Tensor.cumsum'"):
        torch.onnx.export(Cumulative(), torch.randn(2, 3), io.BytesIO())

    class Sorted(nn.Module):
        def forward(self, x):
            return torch.roll(x, 1) + 1

    with pytest.raises(torch.onnx.UnsupportedOperatorError, match="'torch.roll'"):
        torch.onnx.export(Sorted(), torch.randn(2, 3), io.BytesIO())

    class TrainingDropout(nn.Module):
        def forward(self, x):
            return F.dropout(x, 0.5)  # training=True by default

    with pytest.raises(torch.onnx.UnsupportedOperatorError, match="dropout in training mode"):
        torch.onnx.export(TrainingDropout(), torch.randn(2, 3), io.BytesIO())


def test_export_leaves_no_trace():
    originals = {
        name: vars(_C.Tensor)[name] for name in ("view", "__add__", "T", "data", "size", "shape")
    }
    relu = torch.relu

    class Fails(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            if (self.fc(x).view(-1) + 1).numel():
                raise ValueError("boom")
            return x

    model = Fails()
    with pytest.raises(ValueError, match="boom"):
        torch.onnx.export(model, torch.randn(2, 3), io.BytesIO())
    assert {name: vars(_C.Tensor)[name] for name in originals} == originals
    assert torch.relu is relu and not torch.onnx.is_in_onnx_export()
    assert all(p.requires_grad for p in model.parameters())


def test_paths_names_and_arguments(tmp_path):
    model = nn.Linear(4, 2)
    path = tmp_path / "linear.onnx"
    torch.onnx.export(
        model,
        (torch.randn(1, 4),),
        path,
        input_names=["features"],
        output_names=["logits"],
        dynamic_axes={"features": [0], "logits": [0]},
        training=torch.onnx.TrainingMode.EVAL,
        do_constant_folding=True,
    )
    proto = onnx.load(path)
    assert [o.name for o in proto.graph.output] == ["logits"]
    assert {i.name for i in proto.graph.initializer} == {"weight", "bias"}
    with pytest.raises(ValueError, match="opset_version 7"):
        torch.onnx.export(model, torch.randn(1, 4), io.BytesIO(), opset_version=7)
    with pytest.raises(TypeError, match="unexpected keyword"):
        torch.onnx.export(model, torch.randn(1, 4), io.BytesIO(), bogus=1)
    import autograd_cpp.onnx as onnx_module

    assert onnx_module.export is torch.onnx.export


def test_sizes_read_from_inputs_stay_dynamic():
    """torch.zeros(x.size(0), ...), x.view(x.shape[0], -1) and expand follow
    the batch size the exported model runs with."""
    torch.manual_seed(4)

    class Stateful(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.Linear(6 + 4, 4)
            self.token = nn.Parameter(torch.randn(1, 1, 6))

        def forward(self, x):
            batch = x.size(0)
            h = torch.zeros(batch, 4)
            tokens = self.token.expand(batch, -1, -1)
            steps = torch.cat([tokens, x.view(x.shape[0], 3, 6)], dim=1)
            for t in range(steps.shape[1]):
                h = torch.tanh(self.cell(torch.cat([steps[:, t], h], dim=1)))
            return h + torch.ones(batch, 1) * 0.5 + torch.full((batch, 4), 2.0)

    proto = export_and_run(Stateful(), torch.randn(2, 18))
    assert "ConstantOfShape" in {n.op_type for n in proto.graph.node}


def test_op_behind_an_unrecorded_tensor_is_named():
    class Hidden(nn.Module):
        def forward(self, x):
            y = x.cumsum(0)  # not exportable, and its result feeds another op
            return y * 2

    with pytest.raises(torch.onnx.UnsupportedOperatorError, match="cumsum"):
        torch.onnx.export(Hidden(), torch.randn(2, 3), io.BytesIO())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers(kind):
    """Two layers, bidirectional, batch_first: the time loop is unrolled over
    the traced length, the initial state follows the batch size."""
    torch.manual_seed(5)

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, kind)(4, 6, num_layers=2, batch_first=True, bidirectional=True)
            self.fc = nn.Linear(12, 3)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.fc(out[:, -1])

    export_and_run(Tagger(), torch.randn(2, 5, 4))


def test_sizes_arithmetic_and_triangular_masks():
    """bsz * heads style sizes and triu/tril masks built from x.size()."""
    torch.manual_seed(6)

    class Attend(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(8, 24)

        def forward(self, x):
            batch, length, width = x.shape
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            q = q.reshape(batch * 2, length, width // 2)
            k = k.reshape(batch * 2, length, width // 2)
            v = v.reshape(batch * 2, length, width // 2)
            bias = torch.triu(torch.full((length, length), float("-inf")), diagonal=1)
            keep = torch.ones(length, length, dtype=torch.bool).tril()
            scores = (q @ k.transpose(1, 2)).masked_fill(keep.logical_not(), -1e9) + bias
            out = F.softmax(scores, dim=-1) @ v
            return (
                out.reshape(batch, 2, length, width // 2)
                .transpose(1, 2)
                .reshape(batch, length, width)
            )

    proto = export_and_run(Attend(), torch.randn(2, 5, 8))
    assert "Trilu" in {n.op_type for n in proto.graph.node}


TRANSFORMER_PARTS = {
    "TransformerEncoderLayer": lambda: nn.TransformerEncoderLayer(16, 4, 32, 0.1, batch_first=True),
    "TransformerEncoderLayer-norm-first-gelu": lambda: nn.TransformerEncoderLayer(
        16, 4, 32, 0.0, activation="gelu", batch_first=True, norm_first=True
    ),
    "MultiheadAttention": lambda: nn.MultiheadAttention(16, 4, batch_first=True),
    "TransformerEncoder-causal": lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(16, 4, 32, 0.1, batch_first=True), 2
    ),
}


@pytest.mark.parametrize("name", list(TRANSFORMER_PARTS))
def test_transformer_parts(name):
    torch.manual_seed(7)
    part = TRANSFORMER_PARTS[name]()

    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.part = part

        def forward(self, x):
            if name == "MultiheadAttention":
                return self.part(x, x, x, need_weights=False)[0]
            if name.endswith("causal"):
                mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
                return self.part(x, mask=mask, is_causal=True)
            return self.part(x)

    export_and_run(Wrapped(), torch.randn(2, 5, 16))
