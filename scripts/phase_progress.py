"""The `forum` command's display of a long index job: one row per phase, named in Indonesian, with counts."""
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

LABELS = {
    "sample": "Membaca sampel vektor",
    "train": "Melatih klaster indeks",
    "file": "Memetakan vektor ke klaster",
    "add": "Mengisi indeks",
    "embed": "Menyematkan pasase",
}


class _CountColumn(MofNCompleteColumn):
    """Done / total, left blank for a step that has no count (training)."""

    def render(self, task):
        return Text("") if task.fields.get("countless") else super().render(task)


class PhaseProgress:
    """A `search.progress` reporter: calling it advances the current row; `phase` opens the next row."""

    def __init__(self, first: str = "Menyiapkan indeks pencarian", stderr: bool = False, disable: bool = False):
        # The elapsed column keeps ticking through a step without counts (training): it is the only sign of life.
        self._bars = Progress(TextColumn("{task.description}"), BarColumn(), _CountColumn(),
                              TimeElapsedColumn(), TimeRemainingColumn(),
                              console=Console(stderr=stderr), disable=disable)
        self._first, self._task, self.current = first, None, None

    def __enter__(self) -> "PhaseProgress":
        self._bars.__enter__()
        self._task = self._bars.add_task(self._first, total=None)
        return self

    def __exit__(self, *exc) -> None:
        self._close_row()
        self._bars.__exit__(*exc)

    def __call__(self, count: int = 1) -> None:
        self._bars.advance(self._task, count)

    def phase(self, key: str, total: int | None = None) -> None:
        """Start a new row for `key`; the same count-less phase again (embedding batch by batch) keeps its row."""
        if key == self.current and total is None:
            return
        self.current = key
        self._close_row()
        self._task = self._bars.add_task(LABELS.get(key, key), total=total, countless=key == "train")

    def _close_row(self) -> None:
        task = next(t for t in self._bars.tasks if t.id == self._task)
        if task.completed == 0 and not task.total and not task.fields.get("countless"):
            self._bars.remove_task(self._task)  # the opening row once a phase begins, or a row nothing happened in
        elif task.total is None or task.completed < task.total:
            # A count-less step (training) is done now; a pass that found fewer rows than counted ended early.
            done = max(task.completed, 1)
            self._bars.update(self._task, total=done, completed=done)
