"""What several formats share: positions and stable fingerprints."""

from __future__ import annotations

from ..findings import Finding


def position(span) -> str:
    line, col = span.file.position(span.start)
    return f"{span.file.path}:{line}:{col}"


def digest(*parts: str) -> str:
    """A short stable hash of ``parts`` (report fingerprints)."""
    import hashlib  # 7 ms to import: only the formats that fingerprint pay it

    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def fingerprint(f: Finding) -> str:
    """Stable across runs and line shifts: rule, file, model, fields and the flagged text."""
    return digest(f.rule, f.file, f.model or "", ",".join(f.fields), " ".join(f.span.text.split()))


def evidence_note(evidence) -> str:
    """`prisma.session.findMany at src/auth.ts:12 (+2 more)`: the first call site a finding
    rests on, and how many more there are."""
    first = evidence[0]
    more = f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else ""
    return f"{first.label} at {first.file}:{first.line}{more}"
