"""Draw the reproducible sample of candidate Prisma Client call lines for hand labelling.

Lists every line in the nine apps of /work/shared/apps that matches CALL_RE (non-Prisma
look-alikes included on purpose), then draws a stratified random sample with a fixed seed.
Files and lines are sorted before sampling, so the same app folders give the same sample.

    python3 tests/data/app_queries/sample.py [APPS_DIR] > tests/data/app_queries/sample.tsv

Output: TSV with columns app, file (relative to the app folder), line, text (stripped).
"""
import os
import random
import re
import sys

APPS_DIR = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/apps"
SEED = 13
MIN_PER_APP = 10        # every app contributes at least this many
PROPORTIONAL_TOTAL = 160  # then apps get round(PROPORTIONAL_TOTAL * share) if larger
EXTS = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")
CALL_RE = re.compile(
    r"\.(findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|count|aggregate"
    r"|groupBy|create|createMany|createManyAndReturn|update|updateMany|upsert|delete"
    r"|deleteMany)\s*\("
)


def candidates(app_dir):
    files = []
    for root, dirs, names in os.walk(app_dir):
        dirs.sort()
        for name in names:
            if name.endswith(EXTS):
                files.append(os.path.relpath(os.path.join(root, name), app_dir))
    out = []
    for rel in sorted(files):
        with open(os.path.join(app_dir, rel), encoding="utf-8", errors="replace") as fh:
            for no, text in enumerate(fh, 1):
                if CALL_RE.search(text):
                    out.append((rel, no, text.strip()))
    return out


def main():
    apps = sorted(d for d in os.listdir(APPS_DIR) if os.path.isdir(os.path.join(APPS_DIR, d)))
    pools = {app: candidates(os.path.join(APPS_DIR, app)) for app in apps}
    total = sum(len(p) for p in pools.values())
    rng = random.Random(SEED)
    rows = []
    for app in apps:
        pool = pools[app]
        quota = max(MIN_PER_APP, round(PROPORTIONAL_TOTAL * len(pool) / total))
        picked = sorted(rng.sample(pool, min(quota, len(pool))))
        print(f"# {app}: {len(pool)} candidate lines, {len(picked)} sampled", file=sys.stderr)
        rows += [(app,) + c for c in picked]
    print("app\tfile\tline\ttext")
    for app, rel, no, text in rows:
        print(f"{app}\t{rel}\t{no}\t{text}")
    print(f"# total {len(rows)} sampled of {total}", file=sys.stderr)


if __name__ == "__main__":
    main()
