"""prisma_lint.records behaves as the dataclasses it replaced (the parts the package uses)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Optional

import pytest

from prisma_lint.records import FrozenRecordError, asdict, field, fields, is_record, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: Optional[str] = field(default=None, repr=False)
    KIND: ClassVar[str] = "point"


@dataclasses.dataclass
class DPoint:
    x: int
    y: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    note: Optional[str] = dataclasses.field(default=None, repr=False)


@record(frozen=True)
class Key:
    a: str
    b: int


@record(eq=False)
class Node:
    name: str
    children: list["Node"] = field(default_factory=list)


@record(slots=True, eq=False)
class Slotted:
    a: int
    b: str = "b"


@record
class Base:
    a: int


@record
class Child(Base):
    b: int = 2


@record(eq=False)
class WithPost:
    text: str
    length: int = 0

    def __post_init__(self) -> None:
        self.length = len(self.text)


def test_init_defaults_and_factories_like_dataclasses():
    p, d = Point(1), DPoint(1)
    assert (p.x, p.y, p.tags, p.note) == (d.x, d.y, d.tags, d.note)
    assert Point(1).tags is not Point(1).tags  # a fresh list each time
    assert Point(1, 2, ["t"], "n").note == "n"
    assert Point(x=3, y=4).y == 4
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    assert Point.KIND == "point" and "KIND" not in [f.name for f in fields(Point)]


def test_repr_matches_dataclasses():
    assert repr(Point(1, 2, ["a"], "hidden")) == repr(DPoint(1, 2, ["a"], "hidden")).replace("DPoint", "Point")
    n = Node("root")
    n.children.append(n)  # a cycle prints, as dataclasses' repr guard does
    assert repr(n) == "Node(name='root', children=[...])"


def test_eq_and_hash_follow_dataclasses():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert Point(1) != DPoint(1)  # another class: not equal
    with pytest.raises(TypeError):
        hash(Point(1))  # eq without frozen: unhashable
    assert Key("a", 1) == Key("a", 1) and hash(Key("a", 1)) == hash(Key("a", 1))
    assert len({Key("a", 1), Key("a", 1), Key("b", 1)}) == 2
    a, b = Node("x"), Node("x")
    assert a != b and a == a and len({a, b}) == 2  # eq=False: identity


def test_frozen_refuses_assignment():
    k = Key("a", 1)
    with pytest.raises(FrozenRecordError):
        k.a = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):  # FrozenRecordError is an AttributeError, like dataclasses'
        del k.b  # type: ignore[misc]


def test_slots():
    s = Slotted(1)
    assert s.b == "b" and not hasattr(s, "__dict__")
    with pytest.raises(AttributeError):
        s.other = 1  # type: ignore[attr-defined]
    assert Slotted.__qualname__ == "Slotted"


def test_inheritance_post_init_fields_replace_asdict():
    assert [f.name for f in fields(Child)] == ["a", "b"] and Child(1).b == 2
    assert WithPost("abc").length == 3
    assert replace(WithPost("abc"), text="abcd").length == 4  # through __init__
    k = replace(Key("a", 1), b=2)
    assert k == Key("a", 2)
    assert asdict(Point(1, 2, ["t"])) == {"x": 1, "y": 2, "tags": ["t"], "note": None}
    assert asdict(Node("r", [Node("c")])) == {"name": "r", "children": [{"name": "c", "children": []}]}
    assert is_record(Point(1)) and is_record(Point) and not is_record(DPoint(1))
    with pytest.raises(TypeError):
        fields(DPoint)


def test_non_default_after_default_is_refused():
    with pytest.raises(TypeError):

        @record
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]


def test_the_compiled_inits_are_current():
    """_record_inits.py holds the __init__ of every record in the package (regenerate it with
    `python -m prisma_lint.records` after adding or changing a record)."""
    from prisma_lint.records import main

    assert main(["--check"]) == 0


def test_a_record_not_in_the_compiled_inits_compiles_its_own():
    from prisma_lint.records import _compiled_inits, _source, fields

    @record(frozen=True)
    class Unusual:
        zeta_field_nobody_has: int
        tags: list[str] = field(default_factory=list)

    assert _source(fields(Unusual), True, False) not in _compiled_inits()
    u = Unusual(1)
    assert (u.zeta_field_nobody_has, u.tags) == (1, []) and Unusual(1, ["a"]).tags == ["a"]


def test_package_records_use_the_compiled_inits():
    from prisma_lint.findings import Finding
    from prisma_lint.source import SourceFile, Span

    src = SourceFile("a.prisma", "model A {}\n")
    Finding("r", "warning", "m", Span(src, 0, 1))  # first objects: their __init__ is written now
    for cls in (Finding, SourceFile):  # (Span is a hand-written class: spans move with an Anchor)
        assert cls.__init__.__code__.co_filename.endswith("_record_inits.py"), cls
