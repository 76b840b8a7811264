from ._export import ExportCommand


class Command(ExportCommand):
    table = "instruments"
