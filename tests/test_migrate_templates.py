"""The SQL templates compiled to Python (``migrate/template_code.py`` -> ``_templates.py``): the
generated module is what the generator writes now, it renders byte for byte what jinja2 renders
from the same template, a template whose text changed is rendered by jinja2, and the generator
refuses what it does not translate."""

import sys

import pytest
from conftest import REPO
from helpers import edited_templates as edited_copy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prisma_lint import resources
from prisma_lint.migrate import _templates, sql
from prisma_lint.migrate.sql import Migration, SqlColumn, SqlIndex, Step, filters, render, reverse, statements
from prisma_lint.migrate.template_code import TemplateCodeError, compile_template, main, module_text, template_texts

GENERATED = REPO / "prisma_lint" / "migrate" / "_templates.py"
TEMPLATES = REPO / "prisma_lint" / "templates"


@pytest.fixture
def fresh_caches():
    sql._template.cache_clear()
    sql._compiled.cache_clear()
    yield
    sql._template.cache_clear()
    sql._compiled.cache_clear()


@pytest.fixture
def installed_edited(tmp_path, monkeypatch, fresh_caches):
    """A copy of the templates, each with a comment added at its top (the same SQL, another
    text): the installed templates are not the ones ``_templates.py`` was generated from."""
    folder = edited_copy(tmp_path / "templates")
    monkeypatch.setitem(resources._PLACES, "templates", (str(folder),))
    return folder


# -- the generated module ------------------------------------------------------------------------
def test_generated_module_is_what_the_generator_writes_now():
    assert GENERATED.read_text(encoding="utf-8") == module_text(template_texts()), (
        "_templates.py is stale: run python -m prisma_lint.migrate.template_code"
    )
    assert main(["--check"]) == 0


def test_generated_module_imports_no_jinja2():
    source = GENERATED.read_text(encoding="utf-8")
    assert "import" not in source
    assert set(_templates.COMPILED) == set(sql.TEMPLATES.values())


def test_every_provider_renders_through_the_generated_code(fresh_caches):
    for provider in sql.SUPPORTED:
        assert sql.compiled_template(provider), provider


# -- the same SQL as jinja2 ----------------------------------------------------------------------
# names a provider's quoting must double: every quote character, and plain ones
NAME = st.text(alphabet=st.sampled_from('ab_Z9"`[]\' .é'), min_size=1, max_size=12)
OPTIONAL_TEXT = st.none() | NAME


@st.composite
def sql_index(draw) -> SqlIndex:
    columns = draw(
        st.lists(
            st.builds(
                SqlColumn,
                name=NAME,
                sort=st.sampled_from([None, "Asc", "Desc"]),
                length=st.none() | st.integers(min_value=0, max_value=300),
                ops=st.sampled_from([None, "", "jsonb_path_ops", "gin_trgm_ops"]),
            ),
            min_size=1,
            max_size=4,
        )
    )
    unique = draw(st.booleans())
    return SqlIndex(
        name=draw(NAME),
        table=draw(NAME),
        schema=draw(st.sampled_from([None, "", "public", "auth", 'we"ird', "o'brien", "br]acket"])),
        columns=tuple(columns),
        unique=unique,
        fulltext=draw(st.booleans()) and not unique,
        method=draw(st.sampled_from([None, "HASH", "GIN", "GIST", "SPGIST", "BRIN"])),
        where=draw(st.sampled_from([None, "", '("status" = \'pending\')', "deleted_at IS NULL"])),
    )


@st.composite
def step(draw) -> Step:
    action = draw(st.sampled_from(["create", "drop", "rename"]))
    return Step(action, draw(sql_index()), old_name=draw(NAME) if action == "rename" else None)


STEPS = st.lists(step(), max_size=25)
MIGRATIONS = st.builds(Migration, provider=st.sampled_from(sql.SUPPORTED), steps=STEPS)


def jinja2_render(provider: str, steps: list, concurrently: bool) -> str:
    return sql._template(provider).render(steps=steps, concurrently=concurrently)


def generated_render(provider: str, steps: list, concurrently: bool) -> str:
    _key, function = _templates.COMPILED[sql.TEMPLATES[provider]]
    return function(filters(provider), steps=steps, concurrently=concurrently)


@pytest.mark.parametrize("provider", sql.SUPPORTED)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=STEPS, concurrently=st.booleans())
def test_generated_code_renders_what_jinja2_renders(provider, steps, concurrently, fresh_caches):
    assert generated_render(provider, steps, concurrently) == jinja2_render(provider, steps, concurrently)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(m=MIGRATIONS)
def test_render_and_statements_are_the_same_through_jinja2(m, tmp_path_factory, monkeypatch):
    """The public functions, the generated code against jinja2 rendering an edited copy of the
    templates (the fallback), each step on its own and the whole migration, up and down."""
    concurrently = m.provider in ("postgresql", "cockroachdb")
    sql._compiled.cache_clear()
    ours = [render(m), render(reverse(m)), *statements(m), *statements(m, concurrently=concurrently)]
    folder = edited_copy(tmp_path_factory.mktemp("templates"))
    with monkeypatch.context() as patch:
        patch.setitem(resources._PLACES, "templates", (str(folder),))
        sql._template.cache_clear()
        assert not sql.compiled_template(m.provider)
        theirs = [render(m), render(reverse(m)), *statements(m), *statements(m, concurrently=concurrently)]
    sql._template.cache_clear()
    assert ours == theirs


# -- the fallback ----------------------------------------------------------------------------------
def test_an_edited_template_is_rendered_by_jinja2(installed_edited):
    """The installed template is not the one compiled: its own text is rendered (here an edit
    that changes the SQL, so the generated code would be wrong)."""
    path = installed_edited / "postgresql.sql.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("-- CreateIndex", "-- CreateIndex (edited)"), encoding="utf-8")
    index = SqlIndex("User_email_idx", "User", None, (SqlColumn("email"),))
    m = Migration("postgresql", [Step("create", index)])
    assert not sql.compiled_template("postgresql")
    assert render(m) == '-- CreateIndex (edited)\nCREATE INDEX "User_email_idx" ON "User"("email");\n'
    assert sql.compiled_template("mysql") is False  # edited too (a comment): jinja2 renders it
    assert render(Migration("mysql", [Step("drop", index)])) == "-- DropIndex\nDROP INDEX `User_email_idx` ON `User`;\n"


def test_a_missing_template_file_is_left_to_jinja2(tmp_path, monkeypatch, fresh_caches):
    monkeypatch.setitem(resources._PLACES, "templates", (str(tmp_path),))
    assert not sql.compiled_template("sqlite")
    import jinja2

    with pytest.raises(jinja2.TemplateNotFound):
        render(Migration("sqlite", [Step("drop", SqlIndex("i", "t", None, (SqlColumn("c"),)))]))


def test_template_key_tells_texts_apart():
    text = (TEMPLATES / "sqlite.sql.j2").read_text(encoding="utf-8")
    assert sql.template_key(text) == sql.template_key(str(text))
    assert sql.template_key(text) != sql.template_key(text + " ")
    assert sql.template_key(text) != sql.template_key(text.replace("DROP", "DRoP"))


# -- the generator ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "line", "what"),
    [
        ("{% set a = 1 %}{{ a }}", 1, "Assign"),
        ("x\n{{ a | upper }}", 2, "filter `upper`"),
        ("{{ a | qi('x') }}", 1, "with arguments"),
        ("{% for c in cs %}\n\n{{ loop.revindex }}{% endfor %}", 3, "loop.revindex"),
        ("{% for c in cs %}{{ c }}{% else %}none{% endfor %}", 1, "`for` with `else`"),
        ("{% for c in cs if c %}{{ c }}{% endfor %}", 1, "`for` with `else`, `if`"),
        ("{% for a, b in cs %}{{ a }}{% endfor %}", 1, "more than one name"),
        ("{{ a ~ b }}", 1, "Concat"),
        ("{{ a if b else c }}", 1, "CondExpr"),
        ("{{ a < b }}", 1, "comparison `lt`"),
        ("{{ a is defined }}", 1, "Test"),
        ("{{ a[0] }}", 1, "Getitem"),
        ("{{ a.b(1) }}", 1, "call of something other than a macro"),
        ("{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1, 2) }}", 1, "positional argument"),
        ("{% macro m(x=1) %}{{ x }}{% endmacro %}{{ m(2) }}", 1, "default arguments"),
        ("{% if a %}{% macro m() %}{% endmacro %}{% endif %}", 1, "macro inside a block"),
        ("{% include 'x' %}", 1, "Include"),
        ("{{ loop }}", 1, "the name `loop`"),
        ("{{ 1.5 }}", 1, "constant 1.5"),
        ("{{ range }}", 1, "the name `range`"),
        ("{% macro m(x) %}{{ varargs }}{% endmacro %}{{ m(1) }}", 1, "the name `varargs`"),
    ],
)
def test_the_generator_refuses_what_it_does_not_translate(template, line, what):
    with pytest.raises(TemplateCodeError) as e:
        compile_template("edited.sql.j2", template, "render_edited")
    assert str(e.value).startswith(f"edited.sql.j2:{line}: ")
    assert what in str(e.value)


class Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_what_the_generator_translates_renders_as_jinja2_does():
    """Node kinds the four templates do not use today but the generator supports: elif/else,
    and/or/not, !=, loop.first/index/index0/length, a macro of two arguments, nested loops,
    numbers and None written out."""
    template = (
        "{%- macro pair(a, b) -%}[{{ a }}|{{ b }}]{%- endmacro -%}\n"
        "{% for r in rows %}{% if loop.first %}first {% elif r.n != 2 and not r.flag %}mid {% else %}other {% endif %}"
        "{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }} {{ pair(r.n, r.name or 'anon') }}"
        "{% for c in r.cs %}{{ c | qi }}{% if not loop.last %},{% endif %}{% endfor %}"
        "{{ none_value }}{{ 7 }}{{ r.from }}\n{% endfor %}"
    )
    namespace: dict = {}
    exec(compile_template("t.sql.j2", template, "render_t"), namespace)
    rows = [
        Row(n=1, flag=False, name="a", cs=["x", 'y"'], **{"from": 1}),
        Row(n=2, flag=False, name="", cs=[], **{"from": "b"}),
        Row(n=3, flag=True, name=None, cs=["z"], **{"from": None}),
        Row(n=4, flag=False, name="d", cs=["p", "q", "r"], **{"from": ""}),
    ]
    env = sql.jinja_environment()
    env.filters.update(filters("postgresql"))
    for subset in (rows, rows[1:], rows[:1], []):
        expected = env.from_string(template).render(rows=subset, none_value=None)
        assert namespace["render_t"](filters("postgresql"), rows=subset, none_value=None) == expected


def test_the_generator_runs_as_a_module(tmp_path):
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "prisma_lint.migrate.template_code", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
