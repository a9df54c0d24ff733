from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo project: its story in demo/data/, replayed by demo/loader.py (`load_demo`).

    The top of the import chain: the only app that may import every other, and none imports it.
    """

    name = "demo"
