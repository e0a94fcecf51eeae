from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set (``manage.py seed_demo``): a story in ``demo/data/`` and its builder.

    The top layer, like ``config``: it drives the domain apps' services; none of them imports it.
    """

    name = "demo"
    verbose_name = "Demo"
