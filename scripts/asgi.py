"""ASGI factory for uvicorn workers: settings from the environment, search attached when available."""
from forum.settings import load_settings
from web.app import create_app


def build():
    """Create the app for one worker process."""
    settings = load_settings()
    try:
        from web.search_setup import attach_search
    except ImportError:  # search not installed in this build
        return create_app(settings)
    return attach_search(create_app, settings)
