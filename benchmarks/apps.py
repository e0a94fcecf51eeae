from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Tooling, not product: the province-sized data generator and the hot-path benchmarks.

    The top layer, like ``config``: it imports the domain apps; none of them imports it.
    """

    name = "benchmarks"
    verbose_name = "Benchmarks"
