"""The live database front end (issue #14): read-only catalog queries (``connect``), the
statistics they yield as plain data with a versioned JSON file (``stats``), and tables matched
to the schema's models (``match``). Only ``connect`` imports psycopg, and only when called."""
