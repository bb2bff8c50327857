"""The commands other than `check`, each imported only when it runs (click's lazy group:
building their options cost every `check` 2 M instructions)."""
