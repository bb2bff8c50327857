"""prisma-lint: find and fix index mistakes in Prisma schemas and PostgreSQL migrations."""

__version__ = "0.1.0"
