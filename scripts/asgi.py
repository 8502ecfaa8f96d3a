"""ASGI factory for uvicorn workers: settings from the environment, search attached when available."""
import os

from forum.settings import load_settings
from web.app import create_app


def build():
    """Create the app for one worker process."""
    settings = load_settings()
    try:
        from search.embedders import serving_runtime
        from web.search_setup import attach_search
    except ImportError:  # search not installed in this build
        return create_app(settings)
    os.environ["FORUM_EMBED_RUNTIME"] = serving_runtime()  # a worker's memory budget (see there)
    return attach_search(create_app, settings)
