#!/usr/bin/env node
'use strict';
// Batch version of ../shared/prisma-oracle/oracle.js for the test-suite: one node process validates
// many schemas (loading the wasm once costs more than validating a schema).
//
// Usage: node oracle_batch.js ORACLE_DIR LISTING.json
//   ORACLE_DIR : a copy of prisma-oracle with node_modules installed (conftest's Oracle.root)
//   LISTING    : a JSON list of schema paths (a .prisma file or a multi-file folder)
// Output (stdout): one JSON object  path -> {ok, errors, warnings, validateMessage, dmmf}
//   (same shapes as oracle.js; dmmf = {datamodel} only when ok). A schema that cannot be read
//   gives {ok: false, errors: [{message}], ...}.
//
// Prisma 7 refuses `url`, `directUrl` and `shadowDatabaseUrl` in the datasource block (they moved
// to prisma.config.ts). Those lines are blanked in memory (replaced by spaces, so every line
// number, column and offset of the rest of the file is unchanged) before validation.
const fs = require('node:fs');
const path = require('node:path');

const URL_LINE = /^\s*(url|directUrl|shadowDatabaseUrl)\s*=/;

function blankDatasourceUrls(text) {
  const lines = text.split('\n');
  let inDatasource = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!inDatasource) {
      if (/^\s*datasource\s+\w+\s*\{/.test(line)) inDatasource = !/\}\s*(\/\/.*)?$/.test(line);
      continue;
    }
    if (/^\s*\}/.test(line)) { inDatasource = false; continue; }
    if (URL_LINE.test(line)) lines[i] = line.replace(/[^\r]/g, ' ');
  }
  return lines.join('\n');
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node oracle_batch.js ORACLE_DIR LISTING.json\n');
    return 2;
  }
  const oracleDir = path.resolve(argv[0]);
  const wasm = require(path.join(oracleDir, 'node_modules', '@prisma', 'prisma-schema-wasm'));
  const { loadSchemaFiles, offsetToLineCol } = require(path.join(oracleDir, 'lib', 'schema-files.js'));
  const listing = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
  const out = {};
  for (const target of listing) {
    const result = { ok: true, errors: [], warnings: [], validateMessage: null, dmmf: null };
    out[target] = result;
    let files;
    try {
      files = loadSchemaFiles(target).map(([p, content]) => [p, blankDatasourceUrls(content)]);
    } catch (e) {
      result.ok = false;
      result.errors.push({ message: `cannot read ${target}: ${e.message}` });
      continue;
    }
    if (files.length === 0) {
      result.ok = false;
      result.errors.push({ message: `no .prisma files found at ${target}` });
      continue;
    }
    const byName = new Map(files);

    // 1. lint(): structured diagnostics (as oracle.js)
    try {
      const diags = JSON.parse(wasm.lint(JSON.stringify(files)));
      for (const d of diags) {
        const text = byName.get(d.file_name) ?? '';
        const s = offsetToLineCol(text, d.start);
        const e = offsetToLineCol(text, d.end);
        const item = {
          message: d.text, start: d.start, end: d.end, file: d.file_name,
          line: s.line, column: s.column, endLine: e.line, endColumn: e.column,
        };
        (d.is_warning ? result.warnings : result.errors).push(item);
      }
    } catch (e) {
      result.errors.push({ message: `lint() threw: ${e && e.message ? e.message : e}` });
    }

    // 2. validate(): throws with a JSON {error_code, message}
    try {
      wasm.validate(JSON.stringify({ prismaSchema: files, noColor: true }));
    } catch (e) {
      result.ok = false;
      try { result.validateMessage = JSON.parse(e.message).message; } catch { result.validateMessage = String(e.message ?? e); }
    }
    if (result.errors.length) result.ok = false;

    // 3. the datamodel part of the DMMF (only for valid schemas)
    if (result.ok) {
      try {
        result.dmmf = { datamodel: JSON.parse(wasm.get_datamodel(JSON.stringify({ prismaSchema: files }))) };
      } catch (e) {
        result.ok = false;
        result.errors.push({ message: `get_datamodel() threw: ${e && e.message ? e.message : e}` });
      }
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { blankDatasourceUrls };
