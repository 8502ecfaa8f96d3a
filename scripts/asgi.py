"""ASGI factory for uvicorn workers: settings from the environment, search attached when available."""
import logging
import os

from forum.settings import load_settings
from web.app import create_app


def configure_logging() -> None:
    """The forum's own messages (an index rebuilt or regrown, an unexpected error) reach the server's output.

    uvicorn configures only its own loggers; without this, INFO from `forum.*`/`search.*` was dropped and warnings
    came out unformatted. faiss's loader says at INFO which CPU build it could not load: noise for an operator."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    for name in ("forum", "search", "web"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
    logging.getLogger("faiss").setLevel(logging.WARNING)


def build():
    """Create the app for one worker process."""
    configure_logging()
    settings = load_settings()
    from scripts.backup import hold_in_use_lock
    hold_in_use_lock(settings.data_dir)  # `forum restore` refuses while a worker serves this forum
    try:
        from search.embedders import serving_runtime
        from web.search_setup import attach_search
    except ImportError:  # search not installed in this build
        return create_app(settings)
    os.environ["FORUM_EMBED_RUNTIME"] = serving_runtime()  # a worker's memory budget (see there)
    return attach_search(create_app, settings)
