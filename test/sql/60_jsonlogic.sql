-- olpe.jsonlogic_apply: JsonLogic with the semantics of json-logic-js 2.0.5.
--
-- The expected value of each jl_case row is what json-logic-js 2.0.5's
-- jsonLogic.apply returns for the same rule and data under Node.js, with one
-- exception: for "substr half pair" json-logic-js returns half of a surrogate
-- pair, which UTF-8 cannot hold, and olpe returns U+FFFD in its place. The
-- rules of "integer precision" and "big integer from data" hold integers
-- above 2^53, which json-logic-js and olpe both read as the nearest double.

SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments,
       p.provolatile, p.proparallel, p.proisstrict
FROM pg_proc p
WHERE p.oid = 'olpe.jsonlogic_apply(jsonb, jsonb)'::regprocedure;

-- SQL NULL in, SQL NULL out; data defaults to {}
SELECT olpe.jsonlogic_apply(NULL, '{}') IS NULL AS null_rule,
       olpe.jsonlogic_apply('{"var": "a"}', NULL) IS NULL AS null_data,
       olpe.jsonlogic_apply('{"var": ""}') AS default_data,
       olpe.jsonlogic_apply('{"var": ""}', 'null') AS json_null_data;

CREATE TEMP TABLE jl_case (
  id       serial PRIMARY KEY,
  section  text NOT NULL,
  name     text NOT NULL,
  rule     jsonb NOT NULL,
  data     jsonb NOT NULL,
  expected jsonb NOT NULL
);

INSERT INTO jl_case (section, name, rule, data, expected) VALUES
  ('in', 'null haystack', '{"in":["a",null]}', '{}', 'false'),
  ('in', 'missing haystack', '{"in":["a",{"var":"nope"}]}', '{}', 'false'),
  ('in', 'empty string haystack', '{"in":["",""]}', '{}', 'false'),
  ('in', 'zero haystack', '{"in":[0,0]}', '{}', 'false'),
  ('in', 'number haystack', '{"in":[1,12]}', '{}', 'false'),
  ('in', 'empty needle in string', '{"in":["","abc"]}', '{}', 'true'),
  ('in', 'null needle in string', '{"in":[null,"is null here"]}', '{}', 'true'),
  ('in', 'number needle in string', '{"in":[1,"a1"]}', '{}', 'true'),
  ('in', 'array needle in string', '{"in":[["b","c"],"ab,cd"]}', '{}', 'true'),
  ('in', 'null needle in array', '{"in":[null,[null]]}', '{}', 'true'),
  ('in', 'strict in array', '{"in":[1,["1",true]]}', '{}', 'false'),
  ('in', 'string in array', '{"in":["Paris",{"var":"cities"}]}', '{"cities":["Berlin","Paris"]}', 'true'),
  ('in', 'case sensitive', '{"in":["paris",["Paris"]]}', '{}', 'false'),
  ('in', 'empty array haystack', '{"in":[null,[]]}', '{}', 'false'),
  ('in', 'object haystack', '{"in":["a",{"var":"o"}]}', '{"o":{"a":1}}', 'false'),
  ('falsy data', 'whole 0', '{"var":""}', '0', '0'),
  ('falsy data', 'key of 0', '{"var":"a"}', '0', 'null'),
  ('falsy data', 'default on 0', '{"var":["a","dflt"]}', '0', '"dflt"'),
  ('falsy data', 'missing "" on 0', '{"missing":[""]}', '0', '[]'),
  ('falsy data', 'if on 0', '{"if":[{"var":""},"yes","no"]}', '0', '"no"'),
  ('falsy data', 'whole false', '{"var":""}', 'false', 'false'),
  ('falsy data', 'key of false', '{"var":"a"}', 'false', 'null'),
  ('falsy data', 'default on false', '{"var":["a","dflt"]}', 'false', '"dflt"'),
  ('falsy data', 'missing "" on false', '{"missing":[""]}', 'false', '[]'),
  ('falsy data', 'if on false', '{"if":[{"var":""},"yes","no"]}', 'false', '"no"'),
  ('falsy data', 'whole ""', '{"var":""}', '""', '""'),
  ('falsy data', 'key of ""', '{"var":"a"}', '""', 'null'),
  ('falsy data', 'default on ""', '{"var":["a","dflt"]}', '""', '"dflt"'),
  ('falsy data', 'missing "" on ""', '{"missing":[""]}', '""', '[""]'),
  ('falsy data', 'if on ""', '{"if":[{"var":""},"yes","no"]}', '""', '"no"'),
  ('falsy data', 'whole null', '{"var":""}', 'null', 'null'),
  ('falsy data', 'key of null', '{"var":"a"}', 'null', 'null'),
  ('falsy data', 'default on null', '{"var":["a","dflt"]}', 'null', '"dflt"'),
  ('falsy data', 'missing "" on null', '{"missing":[""]}', 'null', '[""]'),
  ('falsy data', 'if on null', '{"if":[{"var":""},"yes","no"]}', 'null', '"no"'),
  ('falsy data', 'whole []', '{"var":""}', '[]', '[]'),
  ('falsy data', 'key of []', '{"var":"a"}', '[]', 'null'),
  ('falsy data', 'default on []', '{"var":["a","dflt"]}', '[]', '"dflt"'),
  ('falsy data', 'missing "" on []', '{"missing":[""]}', '[]', '[]'),
  ('falsy data', 'if on []', '{"if":[{"var":""},"yes","no"]}', '[]', '"no"'),
  ('falsy data', 'whole "0"', '{"!!":{"var":""}}', '"0"', 'true'),
  ('falsy data', 'length of string data', '{"var":"length"}', '"héllo"', '5'),
  ('ordering', 'null < 1', '{"<":[null,1]}', '{}', 'true'),
  ('ordering', 'null < 0', '{"<":[null,0]}', '{}', 'false'),
  ('ordering', 'null <= 0', '{"<=":[null,0]}', '{}', 'true'),
  ('ordering', 'null >= 0', '{">=":[null,0]}', '{}', 'true'),
  ('ordering', 'null > -1', '{">":[null,-1]}', '{}', 'true'),
  ('ordering', 'null < "a"', '{"<":[null,"a"]}', '{}', 'false'),
  ('ordering', 'missing > -1', '{">":[{"var":"nope"},-1]}', '{}', 'true'),
  ('ordering', 'missing with default', '{">":[{"var":["nope",5]},1]}', '{}', 'true'),
  ('ordering', 'undefined < 1', '{"<":[{"and":[]},1]}', '{}', 'false'),
  ('ordering', 'undefined >= 1', '{">=":[{"and":[]},1]}', '{}', 'false'),
  ('ordering', 'between exclusive', '{"<":[1,{"var":"x"},3]}', '{"x":2}', 'true'),
  ('ordering', 'between at bound', '{"<":[1,{"var":"x"},3]}', '{"x":3}', 'false'),
  ('ordering', 'between inclusive', '{"<=":[1,{"var":"x"},3]}', '{"x":3}', 'true'),
  ('ordering', 'between with null', '{"<=":[0,{"var":"x"},3]}', '{"x":null}', 'true'),
  ('ordering', 'between undefined c', '{"<":[1,2,{"and":[]}]}', '{}', 'true'),
  ('ordering', 'NaN comparisons', '{"or":[{"<":["abc",1]},{">=":["abc",1]},{"<=":["abc",1]}]}', '{}', 'false'),
  ('ordering', 'booleans as numbers', '{">":[true,false]}', '{}', 'true'),
  ('ordering', 'array as string', '{"<":[[1,2],"1,3"]}', '{}', 'true'),
  ('ordering', 'one element array', '{">":[[2],1]}', '{}', 'true'),
  ('numeric strings', '"1" == 1', '{"==":["1",1]}', '{}', 'true'),
  ('numeric strings', '"1" === 1', '{"===":["1",1]}', '{}', 'false'),
  ('numeric strings', '"10" < "9" as strings', '{"<":["10","9"]}', '{}', 'true'),
  ('numeric strings', '"10" < 9 as numbers', '{"<":["10",9]}', '{}', 'false'),
  ('numeric strings', '"" == 0', '{"==":["",0]}', '{}', 'true'),
  ('numeric strings', '" 1 " == 1', '{"==":[" 1 ",1]}', '{}', 'true'),
  ('numeric strings', '"0x10" == 16', '{"==":["0x10",16]}', '{}', 'true'),
  ('numeric strings', '"1e3" == 1000', '{"==":["1e3",1000]}', '{}', 'true'),
  ('numeric strings', '"1,000" == 1000', '{"==":["1,000",1000]}', '{}', 'false'),
  ('numeric strings', 'plus parses floats', '{"+":["1","2.5"]}', '{}', '3.5'),
  ('numeric strings', 'plus reads prefix', '{"+":["12px"]}', '{}', '12'),
  ('numeric strings', 'plus of hex', '{"+":["0x10"]}', '{}', '0'),
  ('numeric strings', 'minus of junk', '{"-":["12px",0]}', '{}', 'null'),
  ('numeric strings', 'minus of hex', '{"-":["0x10",0]}', '{}', '16'),
  ('numeric strings', 'unary minus string', '{"-":["5"]}', '{}', '-5'),
  ('numeric strings', 'one-argument times', '{"*":["2"]}', '{}', '"2"'),
  ('numeric strings', 'times parses floats', '{"*":["2","3"]}', '{}', '6'),
  ('numeric strings', 'max of strings', '{"max":["3",2,"10"]}', '{}', '10'),
  ('numeric strings', 'max of junk', '{"max":["x",2]}', '{}', 'null'),
  ('numeric strings', 'string data vs number', '{">":[{"var":"size"},100]}', '{"size":"1200"}', 'true'),
  ('numeric strings', 'string data vs string', '{">":[{"var":"size"},"100"]}', '{"size":"1200"}', 'true'),
  ('numeric strings', 'true == 1', '{"==":[true,1]}', '{}', 'true'),
  ('numeric strings', 'true == "1"', '{"==":[true,"1"]}', '{}', 'true'),
  ('numeric strings', 'false == "0"', '{"==":[false,"0"]}', '{}', 'true'),
  ('null strings', '"null" == null', '{"==":["null",null]}', '{}', 'false'),
  ('null strings', 'null == 0', '{"==":[null,0]}', '{}', 'false'),
  ('null strings', 'null == ""', '{"==":[null,""]}', '{}', 'false'),
  ('null strings', 'null == false', '{"==":[null,false]}', '{}', 'false'),
  ('null strings', 'null == missing', '{"==":[null,{"var":"nope"}]}', '{}', 'true'),
  ('null strings', 'None is truthy', '{"!!":"None"}', '{}', 'true'),
  ('null strings', 'None is not missing', '{"missing":["pets"]}', '{"pets":"None"}', '[]'),
  ('null strings', 'null string is not missing', '{"missing":["pets"]}', '{"pets":"null"}', '[]'),
  ('null strings', 'null value is missing', '{"missing":["pets"]}', '{"pets":null}', '["pets"]'),
  ('null strings', 'present null beats default', '{"var":["pets","unknown"]}', '{"pets":null}', 'null'),
  ('null strings', 'None in list', '{"in":["None",["None","Cats"]]}', '{}', 'true'),
  ('null strings', 'cat of null', '{"cat":["a",null,"b"]}', '{}', '"ab"'),
  ('missing', 'empty string is missing', '{"missing":["a","b","c","d"]}', '{"a":"","b":null,"c":0,"d":false}', '["a","b"]'),
  ('missing', 'empty array is present', '{"missing":["a"]}', '{"a":[]}', '[]'),
  ('missing', 'dotted path', '{"missing":["x.y","x.z"]}', '{"x":{"y":1}}', '["x.z"]'),
  ('missing', 'array of keys', '{"missing":[["a","b"]]}', '{"a":1}', '["b"]'),
  ('missing', 'keys from merge', '{"missing":{"merge":[["a"],"b"]}}', '{"b":1}', '["a"]'),
  ('missing', 'no keys', '{"missing":[]}', '{}', '[]'),
  ('missing', 'empty string value with default', '{"var":["a","dflt"]}', '{"a":""}', '""'),
  ('missing', 'some enough', '{"missing_some":[1,["a","b"]]}', '{"a":0}', '[]'),
  ('missing', 'some not enough', '{"missing_some":[2,["a","b","c"]]}', '{"a":1}', '["b","c"]'),
  ('missing', 'some zero needed', '{"missing_some":[0,["a"]]}', '{}', '[]'),
  ('missing', 'if missing', '{"if":[{"missing":["a"]},"incomplete","ok"]}', '{"a":1}', '"ok"'),
  ('floats', '0.1 + 0.2', '{"+":[0.1,0.2]}', '{}', '0.30000000000000004'),
  ('floats', '0.1 * 3', '{"*":[0.1,3]}', '{}', '0.30000000000000004'),
  ('floats', '0.3 - 0.1', '{"-":[0.3,0.1]}', '{}', '0.19999999999999998'),
  ('floats', '1 / 3', '{"/":[1,3]}', '{}', '0.3333333333333333'),
  ('floats', 'sum equals 0.3', '{"==":[{"+":[0.1,0.2]},0.3]}', '{}', 'false'),
  ('floats', 'cat of sum', '{"cat":[{"+":[0.1,0.2]}]}', '{}', '"0.30000000000000004"'),
  ('floats', 'reduce sum', '{"reduce":[[0.1,0.2,0.3],{"+":[{"var":"accumulator"},{"var":"current"}]},0]}', '{}', '0.6000000000000001'),
  ('floats', 'modulo negative', '{"%":[-7,3]}', '{}', '-1'),
  ('floats', 'modulo fraction', '{"%":[5.5,2]}', '{}', '1.5'),
  ('floats', 'modulo by zero', '{"%":[1,0]}', '{}', 'null'),
  ('floats', 'divide by zero', '{"/":[1,0]}', '{}', 'null'),
  ('floats', 'cat of infinity', '{"cat":[{"/":[1,0]}," ",{"/":[-1,0]}," ",{"/":[0,0]}]}', '{}', '"Infinity -Infinity NaN"'),
  ('floats', 'cat of number forms', '{"cat":[1e+21," ",1e-7," ",1.23e-18," ",100," ",0.000001," ",-1.5]}', '{}', '"1e+21 1e-7 1.23e-18 100 0.000001 -1.5"'),
  ('floats', 'cat of 4e23', '{"cat":[4e+23]}', '{}', '"4e+23"'),
  ('floats', 'integer precision', '{"+":[9007199254740993,0]}', '{}', '9007199254740992'),
  ('floats', 'big integer from data', '{"var":"id"}', '{"id":12345678901234567890}', '12345678901234567000'),
  ('floats', 'max of nothing', '{"max":[]}', '{}', 'null'),
  ('floats', 'min of nothing', '{"min":[]}', '{}', 'null'),
  ('floats', 'negative zero', '{"cat":[{"*":[-1,0]}]}', '{}', '"0"'),
  ('floats', 'divide by negative zero', '{"<":[{"/":[1,{"-":[0]}]},0]}', '{}', 'true'),
  ('arrays', '[] == false', '{"==":[[],false]}', '{}', 'true'),
  ('arrays', '[0] == false', '{"==":[[0],false]}', '{}', 'true'),
  ('arrays', '[] == 0', '{"==":[[],0]}', '{}', 'true'),
  ('arrays', '[1,2] == "1,2"', '{"==":[[1,2],"1,2"]}', '{}', 'true'),
  ('arrays', '[[1]] == 1', '{"==":[[[1]],1]}', '{}', 'true'),
  ('arrays', '[null] == ""', '{"==":[[null],""]}', '{}', 'true'),
  ('arrays', '[1] == [1]', '{"==":[[1],[1]]}', '{}', 'false'),
  ('arrays', '[] === []', '{"===":[[],[]]}', '{}', 'false'),
  ('arrays', '[] != []', '{"!=":[[],[]]}', '{}', 'true'),
  ('arrays', 'same data array', '{"===":[{"var":"d"},{"var":"d"}]}', '{"d":[1]}', 'true'),
  ('arrays', 'equal data arrays', '{"==":[{"var":"d"},{"var":"e"}]}', '{"d":[1],"e":[1]}', 'false'),
  ('arrays', 'object == string', '{"==":[{"var":"o"},"[object Object]"]}', '{"o":{"a":1}}', 'true'),
  ('arrays', '[] == null', '{"==":[[],null]}', '{}', 'false'),
  ('truthiness', 'empty array is falsy', '{"if":[[],"yes","no"]}', '{}', '"no"'),
  ('truthiness', 'array of zero is truthy', '{"!!":[[0]]}', '{}', 'true'),
  ('truthiness', 'empty object is truthy', '{"!!":[{}]}', '{}', 'true'),
  ('truthiness', '"0" is truthy', '{"!!":["0"]}', '{}', 'true'),
  ('truthiness', 'not of empty array', '{"!":[[]]}', '{}', 'true'),
  ('truthiness', 'not without argument', '{"!":[]}', '{}', 'true'),
  ('truthiness', 'and returns value', '{"and":[1,"a",[0]]}', '{}', '[0]'),
  ('truthiness', 'and stops at empty array', '{"and":[[],1]}', '{}', '[]'),
  ('truthiness', 'or returns value', '{"or":[0,"",[],"x"]}', '{}', '"x"'),
  ('truthiness', 'or returns last', '{"or":[0,[]]}', '{}', '[]'),
  ('truthiness', 'and of nothing', '{"and":[]}', '{}', 'null'),
  ('var', 'dotted path', '{"var":"a.b.c"}', '{"a":{"b":{"c":42}}}', '42'),
  ('var', 'array index', '{"var":"list.1"}', '{"list":["x","y"]}', '"y"'),
  ('var', 'number key', '{"var":1}', '["x","y"]', '"y"'),
  ('var', 'array length', '{"var":"list.length"}', '{"list":["x","y"]}', '2'),
  ('var', 'string index', '{"var":"s.1"}', '{"s":"abc"}', '"b"'),
  ('var', 'leading zero index', '{"var":"list.01"}', '{"list":["x","y"]}', 'null'),
  ('var', 'through null', '{"var":["a.b","dflt"]}', '{"a":null}', '"dflt"'),
  ('var', 'dotted key is a path', '{"var":"a.b"}', '{"a.b":1}', 'null'),
  ('var', 'computed key', '{"var":{"cat":["a",".","b"]}}', '{"a":{"b":7}}', '7'),
  ('var', 'array key', '{"var":[["a","b"]]}', '{"a,b":3}', '3'),
  ('var', 'empty key in array', '{"var":[[]]}', '{"":"empty"}', '"empty"'),
  ('var', 'data object returned', '{"var":"a"}', '{"a":{"x":[1,2.5]}}', '{"x":[1,2.5]}'),
  ('operations', 'if chain', '{"if":[false,1,{"var":"x"},2,3]}', '{"x":"y"}', '2'),
  ('operations', 'if without else', '{"if":[false,1]}', '{}', 'null'),
  ('operations', 'if of one', '{"if":"only"}', '{}', '"only"'),
  ('operations', 'ternary', '{"?:":[true,"a","b"]}', '{}', '"a"'),
  ('operations', 'map', '{"map":[{"var":"n"},{"*":[{"var":""},2]}]}', '{"n":[1,2,3]}', '[2,4,6]'),
  ('operations', 'map non-array', '{"map":[{"var":"x"},1]}', '{"x":5}', '[]'),
  ('operations', 'filter', '{"filter":[{"var":"n"},{">":[{"var":""},1]}]}', '{"n":[1,2,3]}', '[2,3]'),
  ('operations', 'reduce without initial', '{"reduce":[[1,2],{"+":[{"var":"accumulator"},{"var":"current"}]}]}', '{}', 'null'),
  ('operations', 'reduce scope', '{"reduce":[[1],{"var":""},0]}', '{}', '{"current":1,"accumulator":0}'),
  ('operations', 'all of empty', '{"all":[[],true]}', '{}', 'false'),
  ('operations', 'none of empty', '{"none":[[],true]}', '{}', 'true'),
  ('operations', 'some of empty', '{"some":[[],true]}', '{}', 'false'),
  ('operations', 'all', '{"all":[{"var":"n"},{">":[{"var":""},0]}]}', '{"n":[1,2]}', 'true'),
  ('operations', 'some objects', '{"some":[{"var":"rooms"},{">=":[{"var":"desks"},10]}]}', '{"rooms":[{"desks":4},{"desks":12}]}', 'true'),
  ('operations', 'merge', '{"merge":[1,[2,[3]],null,[]]}', '{}', '[1,2,[3],null]'),
  ('operations', 'cat', '{"cat":["a",1,true,[1,[2,null]],{"var":"o"}]}', '{"o":{}}', '"a1true1,2,[object Object]"'),
  ('operations', 'substr', '{"substr":["jsonlogic",4]}', '{}', '"logic"'),
  ('operations', 'substr negative start', '{"substr":["jsonlogic",-5,3]}', '{}', '"log"'),
  ('operations', 'substr negative end', '{"substr":["jsonlogic",1,-2]}', '{}', '"sonlog"'),
  ('operations', 'substr string end', '{"substr":["jsonlogic",1,"-2"]}', '{}', '""'),
  ('operations', 'substr of number', '{"substr":[12345,1,2]}', '{}', '"23"'),
  ('operations', 'substr astral', '{"substr":["a😀b",1,2]}', '{}', '"😀"'),
  ('operations', 'substr half pair', '{"substr":["a😀b",0,2]}', '{}', '"a\ufffd"'),
  ('operations', 'utf16 length', '{"var":"s.length"}', '{"s":"a😀"}', '3'),
  ('operations', 'utf16 order', '{"<":["￿","😀"]}', '{}', 'false'),
  ('operations', 'unknown op untaken', '{"if":[true,"ok",{"nope":[]}]}', '{}', '"ok"'),
  ('operations', 'key from data runs', '{"missing":[{"var":"k"}]}', '{"k":{"var":"a"},"a":"z"}', '[{"var":"a"}]'),
  ('operations', 'key from data present', '{"missing":[{"var":"k"}]}', '{"k":{"var":"a"},"a":"z","z":1}', '[]'),
  ('operations', 'minus unary', '{"-":[2]}', '{}', '-2'),
  ('operations', 'min', '{"min":[3,"1",2]}', '{}', '1');

-- one row per case: the result, and whether it equals json-logic-js's
SELECT c.section, c.name, r.result, r.result = c.expected AS ok
FROM jl_case c,
     LATERAL (SELECT olpe.jsonlogic_apply(c.rule, c.data) AS result OFFSET 0) r
ORDER BY c.id;

SELECT count(*) AS cases,
       count(*) FILTER (WHERE olpe.jsonlogic_apply(rule, data) IS DISTINCT FROM expected) AS mismatches
FROM jl_case;

-- log prints the value as JSON and returns it
SELECT olpe.jsonlogic_apply('{"log": [{"var": "a"}]}', '{"a": [1, "x", null]}');
SELECT olpe.jsonlogic_apply('{"log": {"/": [1, 0]}}');

-- Errors: SQLSTATE, message, detail and hint
CREATE FUNCTION pg_temp.jl_error(rule jsonb, data jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
  detail text;
  hint text;
BEGIN
  PERFORM olpe.jsonlogic_apply(rule, data);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  RETURN state || ': ' || message
         || coalesce(' | ' || nullif(detail, ''), '')
         || coalesce(' | ' || nullif(hint, ''), '');
END
$$;

-- json-logic-js raises an error for each of these too
SELECT pg_temp.jl_error('{"foo": [1]}') AS unknown_operation;
SELECT pg_temp.jl_error('{"foo.bar": []}') AS dotted_unknown;
SELECT pg_temp.jl_error('{"var.x": []}') AS dotted_known;
SELECT pg_temp.jl_error('{"method": ["abc", "toUpperCase"]}') AS method;
SELECT pg_temp.jl_error('{"if": [false, 1, {"foo": []}]}') AS taken_branch;
SELECT pg_temp.jl_error('{"if": [true, 1, {"method": []}]}') AS untaken_method;
SELECT pg_temp.jl_error('{"+": [{"foo": []}, {"bar": []}]}') AS first_error_wins;
SELECT pg_temp.jl_error('{"*": []}') AS empty_times;
SELECT pg_temp.jl_error('{"cat": [{"var": "o"}]}', '{"o": {"toString": 1}}') AS to_string_key;
SELECT pg_temp.jl_error('{"==": [{"var": "o"}, 1]}', '{"o": {"toString": 1}}') AS to_string_key_eq;
SELECT pg_temp.jl_error('{"in": ["a", {"var": "o"}]}', '{"o": {"indexOf": 1}}') AS index_of_key;
SELECT pg_temp.jl_error('{"missing_some": [1, null]}') AS missing_some_null;
SELECT pg_temp.jl_error('{"missing": [{"var": "k"}]}', '{"k": {"nope": 1}}') AS rule_from_data;

-- Limits: nesting depth (olpe.max_expression_depth counts operations and
-- arrays, not literals) and size (olpe.max_expression_length, in bytes of
-- jsonb)
SELECT olpe.jsonlogic_apply((repeat('{"!": ', 200) || 'true' || repeat('}', 200))::jsonb) AS depth_200;
SELECT pg_temp.jl_error((repeat('{"!": ', 201) || 'true' || repeat('}', 201))::jsonb) AS depth_201;
SELECT pg_temp.jl_error((repeat('[', 201) || repeat(']', 201))::jsonb) AS arrays_201;
SELECT pg_temp.jl_error('{"missing": [{"var": "k"}]}',
                        ('{"k": ' || repeat('{"!": ', 201) || 'true' || repeat('}', 201) || '}')::jsonb)
       AS deep_rule_from_data;

SET olpe.max_expression_depth = 10;
SELECT olpe.jsonlogic_apply((repeat('{"!": ', 10) || 'true' || repeat('}', 10))::jsonb) AS depth_10;
SELECT pg_temp.jl_error((repeat('{"!": ', 11) || 'true' || repeat('}', 11))::jsonb) AS depth_11;
-- compiled and cached above under the default limit, rejected now
SELECT pg_temp.jl_error((repeat('{"!": ', 200) || 'true' || repeat('}', 200))::jsonb) AS cached_depth_200;
RESET olpe.max_expression_depth;

SET olpe.max_expression_length = 100;
SELECT olpe.jsonlogic_apply('{"in": [{"var": "city"}, ["Oslo", "Rome"]]}', '{"city": "Rome"}') AS small_rule;
SELECT pg_temp.jl_error('{"in": [{"var": "city"}, ["Oslo", "Rome", "Paris", "Berlin", "Madrid", "Lisbon"]]}') AS large_rule;
RESET olpe.max_expression_length;

-- Cache: at most 1024 compiled rules per backend, and within olpe.cache_size
SELECT count(*) AS right_answers
FROM generate_series(1, 1500) g
WHERE olpe.jsonlogic_apply(jsonb_build_object('+', jsonb_build_array(g, 1))) = to_jsonb(g + 1);

SELECT count(*) FILTER (WHERE name = 'olpe JsonLogic cache') AS cache_contexts,
       count(*) FILTER (WHERE name = 'olpe JsonLogic rule') AS cached_rules
FROM pg_backend_memory_contexts;

SET olpe.cache_size = '64kB';
SELECT count(*) AS right_answers
FROM generate_series(1, 300) g
WHERE olpe.jsonlogic_apply(jsonb_build_object('-', jsonb_build_array(g, 1))) = to_jsonb(g - 1);
SELECT sum(total_bytes) FILTER (WHERE name = 'olpe JsonLogic rule') <= 64 * 1024 AS rules_within_budget,
       count(*) FILTER (WHERE name = 'olpe JsonLogic rule') > 0 AS some_rules_cached
FROM pg_backend_memory_contexts;
RESET olpe.cache_size;

-- Query cancel: a reduce that merges its accumulator does quadratic work
-- (as it does in json-logic-js); statement_timeout stops it
SET statement_timeout = '300ms';
SELECT olpe.jsonlogic_apply(
  '{"reduce": [{"var": "a"}, {"merge": [{"var": "accumulator"}, [{"var": "current"}]]}, []]}',
  jsonb_build_object('a', (SELECT jsonb_agg(g) FROM generate_series(1, 200000) g)));
RESET statement_timeout;
