"""Attach search to an app built for a server worker: open the index at start-up, stop its worker at shutdown."""
from search.heap import freeze_startup_heap
from web.pages.search import engine_of, stop_search


def attach_search(create_app, settings):
    """The app from `create_app(settings)` with the search engine opened eagerly in this worker process."""
    app = create_app(settings)
    app.on_startup.append(engine_of)
    # Last: the app, the model and the index are loaded, and each later full collection skips them.
    app.on_startup.append(freeze_startup_heap)
    app.on_shutdown.append(stop_search)
    return app
