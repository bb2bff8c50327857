"""Plain data classes: the part of ``@dataclass`` this package uses, at a fraction of its cost.

Why not ``dataclasses``: a plain ``check`` defines about 60 data classes before it reads a
line, and ``@dataclass`` compiles three to six methods for each one (``__init__``, ``__repr__``,
``__eq__``; ``__setattr__``, ``__delattr__`` and ``__hash__`` when frozen). Measured with
callgrind on Python 3.11: 2.1 M instructions per class, 3.8 M frozen, about 15 ms of an 80 ms
cold ``check``. Here ``__repr__``, ``__eq__`` and ``__hash__`` are shared functions reading a
per-class tuple of field names (0.2 M per class), and only ``__init__`` is written per class (it
runs once per object, so it must be as fast as a hand-written one): on the class's first
object, and for the package's own records from code compiled with the package
(``_record_inits.py``, ``python -m prisma_lint.records``) rather than at run time.

What is supported is what the package uses: ``eq``, ``frozen`` and ``slots``; ``field()`` with
``default``, ``default_factory`` and ``repr``; ``__post_init__``; fields inherited from a base
record; :func:`fields`, :func:`replace` and :func:`asdict`. Semantics follow dataclasses:
``eq=True`` compares the fields in order when both objects are of the same class, and makes an
unfrozen class unhashable; a frozen one hashes its fields. ``tests/test_records.py`` holds them
to dataclasses'.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Optional, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:  # tells type checkers that @record writes an __init__ from the fields (PEP 681)
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**kwargs: Any) -> Callable[[T], T]:
        return lambda f: f


_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


class FrozenRecordError(AttributeError):
    """Assigning to a field of a frozen record (dataclasses' ``FrozenInstanceError``)."""


class Field:
    """One field of a record: ``name``, ``type`` (the annotation as written, a string)."""

    __slots__ = ("default", "default_factory", "name", "repr", "type")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING, repr: bool = True) -> None:
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r})"


def field(*, default: Any = _MISSING, default_factory: Optional[Callable[[], Any]] = None, repr: bool = True) -> Any:
    """A field's default or factory, as ``dataclasses.field``."""
    return Field(default, _MISSING if default_factory is None else default_factory, repr)


def fields(obj_or_class: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    try:
        return obj_or_class.__record_fields__
    except AttributeError:
        raise TypeError(f"{obj_or_class!r} is not a record") from None


def is_record(obj: Any) -> bool:
    return hasattr(obj, "__record_fields__")


def asdict(obj: Any) -> Any:
    """A record as plain dicts and lists, all the way down (``dataclasses.asdict``)."""
    if hasattr(obj, "__record_fields__"):
        return {f.name: asdict(getattr(obj, f.name)) for f in obj.__record_fields__}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {asdict(k): asdict(v) for k, v in obj.items()}
    return obj


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with some fields changed (through ``__init__``, as dataclasses do)."""
    for f in obj.__record_fields__:  # type: ignore[attr-defined]
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


@dataclass_transform(field_specifiers=(field, Field))
def record(cls: Optional[type] = None, /, *, eq: bool = True, frozen: bool = False, slots: bool = False) -> Any:
    """Make ``cls`` a record: an ``__init__`` from its annotated fields, a ``__repr__``, and
    ``__eq__`` (and ``__hash__`` when frozen) unless ``eq=False``."""

    def wrap(cls: type) -> type:
        return _make(cls, eq, frozen, slots)

    return wrap if cls is None else wrap(cls)


def _make(cls: type, eq: bool, frozen: bool, slots: bool) -> type:
    inherited: list[Field] = []
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            inherited = [g for g in inherited if g.name != f.name] + [f]
    own: list[Field] = []
    # the class's own annotations, as dataclasses reads them (no need for inspect)
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
        if text.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name, f.type = name, annotation
        if isinstance(value, Field):
            if f.default is _MISSING:
                delattr(cls, name)  # a bare field(repr=False): no class attribute
            else:
                setattr(cls, name, f.default)
        own.append(f)
    by_name = {f.name: f for f in inherited}
    by_name.update((f.name, f) for f in own)
    all_fields = tuple(by_name.values())
    seen_default = False
    for f in all_fields:
        has_default = f.default is not _MISSING or f.default_factory is not _MISSING
        if seen_default and not has_default:
            raise TypeError(f"{cls.__name__}: non-default field {f.name!r} follows a default field")
        seen_default = seen_default or has_default

    if slots:
        namespace = dict(cls.__dict__)
        for f in all_fields:
            namespace.pop(f.name, None)
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        namespace["__slots__"] = tuple(f.name for f in own)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, namespace)
        cls.__qualname__ = qualname

    cls.__record_fields__ = all_fields  # type: ignore[attr-defined]
    cls.__record_frozen__ = frozen  # type: ignore[attr-defined]
    cls.__init__ = _first_init(cls, all_fields, frozen)  # type: ignore[misc]
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr  # type: ignore[assignment,method-assign]
    names = tuple(f.name for f in all_fields)
    cls.__record_key__ = staticmethod(_key(names))  # type: ignore[attr-defined]
    if eq and "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq  # type: ignore[method-assign,assignment]
        cls.__hash__ = _hash if frozen else None  # type: ignore[assignment,method-assign]
    if frozen:
        cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]
    return cls


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as a tuple (attrgetter runs in C; with one name it gives the value
    itself, so that case is wrapped)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda o: (get(o),)
    return lambda o: ()


def _first_init(cls: type, all_fields: tuple[Field, ...], frozen: bool) -> Callable[..., None]:
    """An ``__init__`` that writes the real one on the class's first object, then hands over.

    Compiling it costs 0.58 M instructions per class; of the ~60 classes a plain check defines,
    a third never gets an object (fixes, the language server's, the database's)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _init(cls, all_fields, frozen)
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _source(all_fields: tuple[Field, ...], frozen: bool, post_init: bool) -> str:
    """The ``__init__`` of a record, as Python source. Defaults are not in it (the function
    gets them as ``__defaults__``): one source, and one compiled code object, per shape."""
    params, body = ["self"], []
    for f in all_fields:
        params.append(f.name)
        value = f"_f_{f.name}() if {f.name} is _MISSING else {f.name}" if f.default_factory is not _MISSING else f.name
        body.append(f"_set(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    return f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"


def _init(cls: type, all_fields: tuple[Field, ...], frozen: bool) -> Callable[..., None]:
    """``__init__`` written out and compiled, as fast per call as a hand-written one. The code
    of the package's own records comes compiled with the package (``_record_inits``, generated
    by ``python -m prisma_lint.records``): compiling costs ~100 us per class on this project's
    machine, unmarshalling a compiled one 3 us."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    defaults: list[Any] = []
    for f in all_fields:
        if f.default_factory is not _MISSING:
            namespace[f"_f_{f.name}"] = f.default_factory
            defaults.append(_MISSING)
        elif f.default is not _MISSING:
            defaults.append(f.default)
    source = _source(all_fields, frozen, hasattr(cls, "__post_init__"))
    code = _compiled_inits().get(source)
    if code is None:
        scratch: dict[str, Any] = {}
        exec(compile(source, f"<record {cls.__qualname__}>", "exec"), scratch)
        code = scratch["__init__"].__code__
    fn = FunctionType(code, namespace, "__init__", tuple(defaults) or None)
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    return fn


def _compiled_inits() -> dict[str, CodeType]:
    try:
        from . import _record_inits
    except ImportError:  # not generated yet
        return {}
    return _record_inits.CODE


def generated_inits() -> str:
    """The text of ``_record_inits.py``: every record of the package, imported."""
    import importlib
    import pkgutil

    import prisma_lint

    sources: set[str] = set()
    for info in pkgutil.walk_packages(prisma_lint.__path__, "prisma_lint."):
        if info.name.endswith(("._record_inits", ".__main__")):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == info.name and "__record_fields__" in value.__dict__:
                sources.add(_source(fields(value), value.__dict__["__record_frozen__"], hasattr(value, "__post_init__")))
    out = [
        '"""The compiled ``__init__`` of every record in the package. Generated by\n'
        "``python -m prisma_lint.records``; a test fails when it is stale (see records.py: a record\n"
        'not found here compiles its own)."""\n',
        "# ruff: noqa",
        "# mypy: ignore-errors",
        "# fmt: off",
        "from types import CodeType",
        "",
        "CODE: dict[str, CodeType] = {}",
    ]
    for source in sorted(sources):  # each on one line: the same code, a readable file
        head, *body = source.rstrip("\n").split("\n")
        out += ["", head + " " + "; ".join(line.strip() for line in body), f"CODE[{source!r}] = __init__.__code__"]
    return "\n".join(out) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    import sys
    from pathlib import Path

    from .resources import update_generated

    argv = sys.argv[1:] if argv is None else argv
    path = Path(__file__).with_name("_record_inits.py")
    return update_generated(path, generated_inits(), "--check" in argv, "python -m prisma_lint.records")


_repr_running: set[int] = set()  # objects being printed: a cycle prints as "..."


def _repr(self: Any) -> str:
    if id(self) in _repr_running:
        return "..."
    _repr_running.add(id(self))
    try:
        parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    finally:
        _repr_running.discard(id(self))
    return f"{self.__class__.__qualname__}({parts})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record_key__
    return key(self) == key(other)


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r}")


if __name__ == "__main__":  # through the package's module: the records there are the ones made
    from prisma_lint.records import main as _main

    raise SystemExit(_main())
