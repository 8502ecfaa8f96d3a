"""Small helpers shared by the moderation pages: thread references typed or pasted."""
import re

_THREAD_URL = re.compile(r"/diskusi/(\d{1,18})(?:\D|$)")  # the id after /diskusi/, whatever the host or port
_THREAD_NUMBER = re.compile(r"#?(\d{1,18})")


def thread_ref(value: object) -> int | None:
    """A thread id typed as a number or pasted as a thread URL."""
    text = str(value or "").strip()
    match = _THREAD_URL.search(text) or _THREAD_NUMBER.fullmatch(text)
    return int(match.group(1)) if match else None
