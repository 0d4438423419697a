"""Provider routes, from fetch to frame: ``load_routes()``.

``fetch_routes`` (one request per model, paced at the API's limit), ``flatten_routes`` (route
responses to the routes table), ``load_routes`` (live, sample, files or a routes snapshot).
"""
