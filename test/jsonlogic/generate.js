// Generate random JsonLogic rules, evaluate each with json-logic-js, and
// write one JSON line per case:
//   {"file": "generated", "ordinal": N, "rule": ..., "data": ..., "result": ...}
// or "error" in place of "result". The generator is seeded, so a given seed
// and count always give the same cases. The rules mix every operator of
// json-logic-js 2.0.5 with values that JavaScript coerces in surprising
// ways (numeric strings, empty arrays, null, objects with a toString key,
// characters outside the Basic Multilingual Plane).
//
// usage: node generate.js SEED COUNT OUTPUT_FILE
"use strict";

const fs = require("fs");
const jsonLogic = require("json-logic-js");

const [seedArg, countArg, outputFile] = process.argv.slice(2);
if (!outputFile) {
  process.stderr.write("usage: node generate.js SEED COUNT OUTPUT_FILE\n");
  process.exit(2);
}
console.log = () => {};

// mulberry32: a small seeded generator
let seed = Number(seedArg) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;

const STRINGS = ["", " ", "0", "1", "2", "10", "-1", "1.5", "abc", "ABC", "a", "b", "1e3",
  "0x1A", "0b11", "0o17", " 12 ", "\u00a0 7\n", "12px", ".5", "5.", "-0", "Infinity",
  "-Infinity", "NaN", "null", "None", "true", "false", "1,2", "[object Object]",
  "h\u00e9llo", "\ud83d\ude00", "x\ud83d\ude00y", "\uffff", "a.b", "length", "e.toString",
  "apple", "banana", "+5", "1e400", "0.1", "0.2", "9007199254740993"];
const NUMBERS = [0, 1, 2, 3, -1, -2, 0.1, 0.2, 0.5, 1.5, -2.5, 10, 100, 1e21, 1e-7,
  123456789012, 9007199254740993, 3.14159, 1e300, 5e-324, 4294967295];
const KEYS = ["a", "b", "c", "d", "e", "s", "z", "t", "n", "arr", "objs", "nested",
  "a.b", "e.f", "d.0", "d.2.0", "arr.length", "s.length", "s.1", "s.0", "objs.1.x",
  "nested.x.y", "missing", "", "length", 0, 1, "0", "1", "e.toString", "empty"];
const DATA = [
  {},
  null,
  0,
  false,
  "",
  "abc",
  [1, 2, 3],
  [[1, 2], "x", null],
  {
    a: 1, b: "2", c: null, d: [1, "2", [3]], e: { f: "g", toString: 1 }, s: "h\u00e9llo\ud83d\ude00",
    z: 0, t: true, n: "null", arr: [3, 1, 2], objs: [{ x: 1 }, { x: 2 }], empty: [],
    nested: { x: { y: "deep" } }, "": "empty key", "a.b": "dotted"
  },
  { a: "", b: [], c: {}, d: "0", arr: ["a", "b", ""], objs: [{ x: "1" }, { x: null }, {}] },
  { a: [1, [2, [3]]], b: "1,2", s: "abc", arr: [1, "1", true, null], z: false, n: "None" },
];
const OPS = ["var", "var", "var", "missing", "missing_some", "if", "?:", "==", "===", "!=",
  "!==", "!", "!!", "or", "and", ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/",
  "%", "map", "filter", "reduce", "all", "none", "some", "merge", "in", "cat", "substr",
  "log"];
const SCOPED_VARS = ["", "x", "current", "accumulator", "current.x", "0", "length"];

function literal(depth) {
  const r = random();
  if (r < 0.3) return pick(NUMBERS);
  if (r < 0.6) return pick(STRINGS);
  if (r < 0.68) return chance(0.5);
  if (r < 0.75) return null;
  if (r < 0.85 && depth < 3) return Array.from({ length: Math.floor(random() * 4) }, () => literal(depth + 1));
  if (r < 0.9) return pick([{}, { p: 1, q: "2" }, { toString: 1, y: 2 }, { indexOf: 1, y: 2 }, { length: 2, y: 1 }]);
  return pick(NUMBERS);
}

function rule(depth, scoped) {
  if (depth > 4 || chance(0.25)) {
    if (chance(0.4)) {
      const key = scoped && chance(0.6) ? pick(SCOPED_VARS) : pick(KEYS);
      return chance(0.2) ? { var: [key, literal(2)] } : { var: key };
    }
    return literal(1);
  }
  if (chance(0.05)) return [rule(depth + 1, scoped), rule(depth + 1, scoped)];
  if (chance(0.01)) return { [pick(["unknown", "method", "var.x", "foo.bar", "val"])]: [rule(depth + 1, scoped)] };
  const op = pick(OPS);
  if (["map", "filter", "all", "none", "some", "reduce"].includes(op)) {
    const list = chance(0.7) ? { var: pick(["arr", "objs", "d", "empty", "a", "b", "s", "missing"]) } : literal(1);
    const args = [list, rule(depth + 1, true)];
    if (op === "reduce" && chance(0.8)) args.push(rule(depth + 1, scoped));
    return { [op]: args };
  }
  if (op === "missing_some") {
    return { missing_some: [pick([0, 1, 2, "1", null]), chance(0.8) ? [pick(KEYS), pick(KEYS), pick(KEYS)] : rule(depth + 1, scoped)] };
  }
  const n = Math.floor(random() * 4);
  const args = Array.from({ length: n }, () => rule(depth + 1, scoped));
  if (n === 1 && chance(0.5)) return { [op]: args[0] };
  return { [op]: args };
}

// A double from 64 random bits: number formatting and parsing over the
// whole range. NaN and the infinities, which JSON cannot carry, are skipped.
function randomDouble() {
  const view = new DataView(new ArrayBuffer(8));
  for (;;) {
    view.setUint32(0, Math.floor(random() * 4294967296));
    view.setUint32(4, Math.floor(random() * 4294967296));
    const d = view.getFloat64(0);
    if (Number.isFinite(d) && !Object.is(d, -0)) return d;
  }
}

// A string that may or may not read as a number: white space, signs,
// digits, points, exponents, 0x/0o/0b prefixes and trailing junk.
function numericString() {
  const parts = [];
  if (chance(0.2)) parts.push(pick([" ", "\t", "\n", "\u00a0", "\u2003", "\ufeff"]));
  if (chance(0.3)) parts.push(pick(["+", "-"]));
  if (chance(0.1)) parts.push(pick(["0x", "0X", "0o", "0b", "Infinity", "infinity"]));
  const digits = () => Array.from({ length: 1 + Math.floor(random() * 20) }, () => pick("0123456789abcdef".split("").slice(0, chance(0.9) ? 10 : 16))).join("");
  if (chance(0.9)) parts.push(digits());
  if (chance(0.4)) parts.push(".");
  if (chance(0.4)) parts.push(digits());
  if (chance(0.3)) parts.push(pick(["e", "E"]) + (chance(0.5) ? pick(["+", "-"]) : "") + (chance(0.9) ? String(Math.floor(random() * 400)) : ""));
  if (chance(0.2)) parts.push(pick([" ", "px", "_1", ",5", "\u00a0"]));
  return parts.join("");
}

// Number-focused rules: formatting (cat), parseFloat (+, *), ToNumber (-, ==),
// and string ordering (<) with characters from several Unicode planes.
function numberRule() {
  const r = random();
  if (r < 0.3) return { cat: [randomDouble()] };
  if (r < 0.4) return { cat: [{ "/": [randomDouble(), pick([3, 7, 10, 1e-300, 1e300, randomDouble()])] }] };
  if (r < 0.55) return { cat: [{ "+": [numericString()] }, " ", { "*": [numericString(), 1] }] };
  if (r < 0.7) return { cat: [{ "-": [numericString(), 0] }] };
  if (r < 0.8) return { "==": [numericString(), pick(NUMBERS.concat([randomDouble()]))] };
  if (r < 0.9) return { substr: [pick(STRINGS) + pick(STRINGS), pick([-3, -1, 0, 1, 2, 5, "1", null]), pick([-2, -1, 0, 1, 3, "2", "-1", [-1], null, undefined])] };
  const chars = ["a", "B", "\u00e9", "\u4e2d", "\ud83d\ude00", "\uff5e", "\uffff", "\ue000", "0", " "];
  const word = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(chars)).join("");
  return { "<": [word(), word()] };
}

// well-formed strings, as olpe writes them (see oracle.js)
// (String.prototype.toWellFormed needs Node 20; Debian 12 has Node 18.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
function wellFormed(key, value) {
  return typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD") : value;
}

const lines = [];
for (let i = 1; i <= Number(countArg); i++) {
  // evaluate what JSON carries: undefined in an array becomes null
  const r = JSON.parse(JSON.stringify(chance(0.15) ? numberRule() : rule(0, false)));
  const data = pick(DATA);
  let outcome;
  try {
    const result = jsonLogic.apply(r, data);
    outcome = { result: result === undefined ? null : result };
  } catch (e) {
    outcome = { error: String(e && e.message ? e.message : e) };
  }
  const line = JSON.stringify({ file: "generated", ordinal: i, rule: r, data, ...outcome }, wellFormed);
  lines.push(line);
}
fs.writeFileSync(outputFile, lines.join("\n") + "\n");
process.stdout.write(`generated: ${lines.length} cases with seed ${seedArg}\n`);
