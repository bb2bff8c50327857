"""The ``prisma-lint`` command's entry point: the command line, run with the garbage collector
paused until the input is loaded.

Importing click and the package and parsing the schema create many objects and no garbage
cycles worth a collection; the collections those allocations trigger cost 13.5 M instructions,
4.5% of a cold ``check`` of a 100-line schema (callgrind), and more the bigger the schema. The
command line turns the collector back on once the parsed input is frozen (``cli._load``)."""


def main() -> None:
    import gc

    gc.disable()
    from .cli import main as run

    run()
