"""ASGI factory for uvicorn workers: settings from the environment, search attached when available."""
import os

from forum.settings import load_settings
from web.app import create_app


def build():
    """Create the app for one worker process."""
    settings = load_settings()
    if not os.environ.get("FORUM_EMBED_RUNTIME") and (os.environ.get("FORUM_EMBED_PRECISION") or "auto").strip().lower() == "auto":
        from search.embedders import serving_runtime
        os.environ["FORUM_EMBED_RUNTIME"] = serving_runtime()  # a worker's memory budget (see there)
    try:
        from web.search_setup import attach_search
    except ImportError:  # search not installed in this build
        return create_app(settings)
    return attach_search(create_app, settings)
