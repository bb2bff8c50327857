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


def synthetic_migration(statements: int) -> str:
    """A PostgreSQL migration of about ``statements`` statements, as Prisma and hand edits write
    them: enums, tables, foreign keys, plain, unique, partial, GIN and expression indexes."""
    out = []
    i = 0
    while len(out) < statements:
        out += [
            f'CREATE TYPE "Status{i}" AS ENUM (\'ACTIVE\', \'PAUSED\', \'ARCHIVED\');',
            f'CREATE TABLE "accounts_{i}" ("id" UUID NOT NULL, "email" TEXT NOT NULL, "status" "Status{i}" NOT NULL, '
            f'"active" BOOLEAN NOT NULL DEFAULT true, "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, '
            f'CONSTRAINT "accounts_{i}_pkey" PRIMARY KEY ("id"));',
            f'CREATE TABLE "Project{i}" ("id" SERIAL NOT NULL, "title" TEXT NOT NULL, "tags" TEXT[], "meta" JSONB, '
            f'"ownerId" UUID NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "Project{i}_pkey" PRIMARY KEY ("id"));',
            f'CREATE UNIQUE INDEX "accounts_{i}_email_key" ON "accounts_{i}"("email");',
            f'CREATE INDEX "accounts_{i}_status_created_at_idx" ON "accounts_{i}"("status", "created_at");',
            f'CREATE INDEX "Project{i}_createdAt_ownerId_idx" ON "Project{i}"("createdAt" DESC, "ownerId");',
            f'CREATE UNIQUE INDEX "Project{i}_ownerId_title_key" ON "Project{i}"("ownerId", "title");',
            f'CREATE INDEX "Project{i}_tags_idx" ON "Project{i}" USING GIN ("tags");',
            f'CREATE INDEX "project{i}_recent" ON "Project{i}" ("ownerId") WHERE "createdAt" > NOW() - INTERVAL \'30 days\';',
            f'CREATE INDEX "project{i}_lower_title" ON "Project{i}" (lower("title"));',
            f'ALTER TABLE "Project{i}" ADD CONSTRAINT "Project{i}_ownerId_fkey" FOREIGN KEY ("ownerId") '
            f'REFERENCES "accounts_{i}"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
            f'DROP INDEX "accounts_{i}_status_created_at_idx";',
        ]
        i += 1
    return "\n\n".join(out[:statements]) + "\n"


def unindexed_fk_schema(models: int, provider: str = "postgresql") -> str:
    """``models`` models in a chain, each with one foreign key and no index on it: as many
    missing-fk-index findings (and fixes) as models (issue #11 item 7)."""
    out = [f'datasource db {{\n  provider = "{provider}"\n}}\n']
    for i in range(models):
        parent = f"  parentId Int\n  parent   Node{i - 1} @relation(fields: [parentId], references: [id])\n" if i else ""
        child = f"  children Node{i + 1}[]\n" if i + 1 < models else ""
        out.append(f"model Node{i} {{\n  id       Int @id\n  name     String\n{parent}{child}}}\n")
    return "\n".join(out)
