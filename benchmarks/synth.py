"""Synthetic Prisma schemas of any size, for the benchmarks (deterministic: same size, same text)."""

from __future__ import annotations


def synthetic_schema(target_lines: int, provider: str = "postgresql") -> str:
    """A realistic schema of about ``target_lines`` lines: models with relations, enums,
    native types, defaults, doc comments, composite and unique indexes (and a few mistakes)."""
    out = [
        "// synthetic benchmark schema",
        "generator client {",
        '  provider = "prisma-client-js"',
        "}",
        "",
        "datasource db {",
        f'  provider = "{provider}"',
        "}",
        "",
    ]
    i = 0
    while len(out) < target_lines:
        out += [
            f"enum Status{i} {{",
            "  ACTIVE",
            "  PAUSED",
            '  ARCHIVED @map("archived")',
            "}",
            "",
            f"/// An account, number {i}.",
            f"model Account{i} {{",
            "  id        String    @id @default(uuid()) @db.Uuid",
            "  email     String    @unique",
            "  name      String?   @db.VarChar(255)",
            f"  status    Status{i}  @default(ACTIVE)",
            "  active    Boolean   @default(true)",
            "  createdAt DateTime  @default(now()) @map(\"created_at\")",
            "  updatedAt DateTime  @updatedAt",
            f"  projects  Project{i}[]",
            "",
            "  @@index([status, createdAt])",
            f'  @@map("accounts_{i}")',
            "}",
            "",
            f"model Project{i} {{",
            "  id        Int       @id @default(autoincrement())",
            "  title     String    // a trailing comment",
            "  budget    Decimal   @db.Decimal(12, 2)",
            "  tags      String[]",
            "  meta      Json?",
            "  archived  Boolean   @default(false)",
            "  ownerId   String    @db.Uuid",
            f"  owner     Account{i}  @relation(fields: [ownerId], references: [id], onDelete: Cascade)",
            "  createdAt DateTime  @default(now())",
            "",
            "  @@index([archived])",
            "  @@index([createdAt(sort: Desc), ownerId])",
            "  @@unique([ownerId, title])",
            "}",
            "",
        ]
        i += 1
    return "\n".join(out) + "\n"
