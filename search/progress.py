"""Progress of long index jobs: a callable advanced by counts, told when a new phase begins if it can listen.

A plain callable (tqdm's `update`, a lambda) only counts. A reporter with a `phase(key, total)` method also
learns which step runs and how many items it will take, so a 1M-post rebuild does not sit silent through its
sampling, training and filing steps (~50 s) before the first vector is added. Keys are identifiers; what a
person reads for each is the caller's business (the `forum` command says it in Indonesian).
"""

PHASES = (
    "sample",  # reading the training sample of stored vectors (count: vectors)
    "train",  # learning the clusters (no count: FAISS gives no progress)
    "file",  # filing each stored vector under its cluster (count: vectors)
    "add",  # filling the index from stored vectors (count: vectors)
    "embed",  # embedding passages with no stored vector yet (count: texts embedded, a passage and its plain form)
)


def begin_phase(progress, phase: str, total: int | None = None) -> None:
    """Tell `progress` that `phase` begins, `total` items long when known; a plain callable is left alone."""
    if phase not in PHASES:
        raise ValueError(f"unknown progress phase {phase!r}")
    listener = getattr(progress, "phase", None)
    if listener is not None:
        listener(phase, total)
