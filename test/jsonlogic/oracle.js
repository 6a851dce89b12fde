// Evaluate every JsonLogic conformance case with json-logic-js, the
// reference implementation, and write one JSON line per case:
//   {"file": "...", "ordinal": N, "result": ...}   or
//   {"file": "...", "ordinal": N, "error": "message"}
// "ordinal" is the 1-based position of the case in its file's top-level
// array (section-header strings count too), so that SQL can join the lines
// to jsonb_array_elements(...) WITH ORDINALITY over the same file.
//
// usage: node oracle.js DATA_DIR OUTPUT_FILE
//   DATA_DIR contains jsonlogic/tests.json and jsonlogic/compat-tables/.
"use strict";

const fs = require("fs");
const path = require("path");
const jsonLogic = require("json-logic-js");

const [dataDir, outputFile] = process.argv.slice(2);
if (!dataDir || !outputFile) {
  process.stderr.write("usage: node oracle.js DATA_DIR OUTPUT_FILE\n");
  process.exit(2);
}

// The "log" operation prints with console.log; keep stdout for this script.
console.log = () => {};

// olpe stores strings as UTF-8, which cannot hold half of a surrogate pair,
// and writes U+FFFD for it; write the oracle's strings the same way.
// (String.prototype.toWellFormed needs Node 20; Debian 12 has Node 18.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
function wellFormed(key, value) {
  return typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD") : value;
}

function evaluate(rule, data) {
  try {
    const result = jsonLogic.apply(rule, data);
    // JSON.stringify cannot write a top-level undefined; olpe returns null.
    return { result: result === undefined ? null : result };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const jsonlogicDir = path.join(dataDir, "jsonlogic");
const compatDir = path.join(jsonlogicDir, "compat-tables");
const files = [{ name: "tests.json", file: path.join(jsonlogicDir, "tests.json") }];
for (const name of JSON.parse(fs.readFileSync(path.join(compatDir, "index.json"), "utf8"))) {
  files.push({ name: "compat-tables/" + name, file: path.join(compatDir, name) });
}

const lines = [];
for (const { name, file } of files) {
  const cases = JSON.parse(fs.readFileSync(file, "utf8"));
  cases.forEach((c, i) => {
    if (typeof c === "string") return; // a section header
    let rule, data;
    if (Array.isArray(c)) {
      [rule, data] = c; // tests.json: [rule, data, expected]
    } else {
      rule = c.rule;
      data = "data" in c ? c.data : null; // no data: null, as run.sh uses
    }
    lines.push(JSON.stringify({ file: name, ordinal: i + 1, ...evaluate(rule, data) }, wellFormed));
  });
}
fs.writeFileSync(outputFile, lines.join("\n") + "\n");
process.stdout.write(`oracle: ${lines.length} cases from ${files.length} files\n`);
