/*
 * fixture.sql: the rows that the differential test evaluates every expression over.
 *
 * One column per type of the rule language, plus "Qty", whose mixed-case name
 * must be quoted. Each column holds NULL, zero, negative and limit values, and
 * the text columns hold non-ASCII text and LIKE and regular expression
 * metacharacters. txt uses the database default collation, and txt_c uses "C",
 * so the two columns differ in ordering and case mapping of non-ASCII text
 * whenever the default collation is not C itself.
 *
 * Requires a UTF8 database. Values are read with TimeZone UTC and ISO dates.
 */

SET client_min_messages = warning;
SET standard_conforming_strings = on;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

DROP SCHEMA IF EXISTS difftest CASCADE;
CREATE SCHEMA difftest;

CREATE TABLE difftest.t (
  id    integer PRIMARY KEY,
  b     boolean,
  i4    integer,
  i8    bigint,
  num   numeric,
  f8    double precision,
  txt   text,
  txt_c text COLLATE "C",
  d     date,
  ts    timestamptz,
  iv    interval,
  ta    text[],
  ia    integer[],
  na    numeric[],
  "Qty" integer
);

INSERT INTO difftest.t VALUES
-- every column NULL
(1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),

-- zero, empty text and empty arrays
(2, true, 0, 0, 0, 0, '', '',
 '2000-01-01', '2000-01-01 00:00:00+00', '0', '{}', '{}', '{}', 0),

-- one, a leap day
(3, false, 1, 1, 1, 1, 'a', 'a',
 '2024-02-29', '2024-02-29 12:00:00+00', '1 day', ARRAY['a'], ARRAY[1], ARRAY[1.0], 1),

-- minus one, the last microsecond of 1999
(4, true, -1, -1, -1, -1, 'A', 'B',
 '1999-12-31', '1999-12-31 23:59:59.999999+00', '-1 day',
 ARRAY['A', 'b'], ARRAY[-1, 1], ARRAY[-1.5, 1.5], -1),

-- upper limits
(5, true, 2147483647, 9223372036854775807,
 99999999999999999999999999999999.99999, 1e300,
 'Hello World', 'hello world',
 '9999-12-31', '9999-12-31 23:59:59+00', '178000000 years',
 ARRAY['Hello', 'World'], ARRAY[2147483647], ARRAY[1e30], 2147483647),

-- lower limits
(6, false, -2147483648, -9223372036854775808,
 -99999999999999999999999999999999.99999, -1e300,
 'é', 'É',
 '0001-01-01', '0001-01-01 00:00:00+00', '-178000000 years',
 ARRAY['é', 'É'], ARRAY[-2147483648], ARRAY[-1e30], -2147483648),

-- NaN, infinite dates, arrays holding only NULL
(7, NULL, 42, 42, 'NaN', 'NaN', 'ß', 'Straße',
 'infinity', 'infinity', '1 mon',
 ARRAY[NULL]::text[], ARRAY[NULL]::integer[], ARRAY[NULL]::numeric[], 42),

-- positive infinity, CJK text, arrays with NULL and empty elements
(8, true, 7, 3000000000, 'Infinity', 'Infinity', '日本', '日本語',
 '-infinity', '-infinity', '1 year 2 mons 3 days 04:05:06.789',
 ARRAY['日本', NULL, ''], ARRAY[1, NULL, 3], ARRAY[1.0, NULL, 2.50], NULL),

-- negative infinity, emoji, a daylight-saving change day in Europe
(9, false, 100, -3000000000, '-Infinity', '-Infinity', '🙂', '🙂🙃',
 '2023-02-28', '2023-03-26 01:30:00+00', '-1 mons +1 day',
 ARRAY['🙂'], ARRAY[5, 5, 5], ARRAY[0.1, 0.2, 0.3], 100),

-- LIKE metacharacters in the data
(10, true, 3, 3, 0.1, 0.1, 'a%b_c\d', '100%',
 '2024-03-01', '2024-03-10 07:00:00+00', '36 hours',
 ARRAY['%', '_', '\'], ARRAY[3, 2, 1], ARRAY[3.0], 3),

-- surrounding spaces, a fraction of a second
(11, false, -7, -7, -7.5, -7.5, '  padded  ', ' x',
 '2020-02-29', '2020-02-29 23:59:59.5+00', '00:00:00.000001',
 ARRAY['  padded  '], ARRAY[-7], ARRAY[-7.5], -7),

-- text that casts to numbers, and the epoch
(12, true, 10, 10, 2.5, 2.5, '42', '42',
 '1970-01-01', '1970-01-01 00:00:00+00', '-00:00:01',
 ARRAY['42', '10'], ARRAY[10, 42], ARRAY[2.5, 10], 10),

-- many digits, the largest double precision
(13, NULL, NULL, NULL,
 123456789012345678901234567890.123456789012345678901234567890,
 1.7976931348623157e308,
 'NaN', 'nan',
 '2000-02-29', '2000-02-29 00:00:00+00', '30 days',
 ARRAY['NaN'], ARRAY[0], ARRAY[123456789012345678901234567890.123456789], NULL),

-- halves that round differently by type
(14, false, 1000000, 1000000000000000, 0.5, 0.5, 'ABC', 'abc',
 '2023-12-31', '2023-12-31 23:00:00-05', '1 mon',
 ARRAY['ABC', 'abc'], ARRAY[1000000], ARRAY[0.5], 1000000),

(15, true, -10, -1000000000000000000, -0.5, -0.5, 'abc', 'ABC',
 '1900-02-28', '1900-03-01 00:00:00+00', '24 hours',
 ARRAY['abc'], ARRAY[-10, 10], ARRAY[-0.5, 0.5], -10),

-- invalid regular expressions in the data
(16, NULL, 5, 5, 1.5, 1.5, '(', '[',
 '2016-02-29', '2016-02-29 06:30:00+00', '1 day -1 hour',
 ARRAY['(', '['], ARRAY[5], ARRAY[1.5], 5),

-- tiny values
(17, false, 2, 2, 0.00000000000000000001, 4.9e-324, 'x', 'X',
 '2001-01-01', '2001-01-01 00:00:00+00', '1 year',
 ARRAY['x', 'X'], ARRAY[2, 2], ARRAY[0.00000000000000000001], 2),

-- dotted capital I, a title-case letter
(18, true, 46341, 3037000500, 2.5e-5, 123456789.123456789, 'İstanbul', 'ǅemal',
 '2038-01-19', '2038-01-19 03:14:08+00', '12 mons',
 ARRAY['İstanbul'], ARRAY[46341, -46341], ARRAY[2.5e-5], 46341),

-- text that casts to a date and a boolean
(19, false, 65536, 4294967296, 1e20, 1e20, '2024-02-29', 'true',
 '2024-02-28', '2024-02-28 23:59:59+00', '2 days',
 ARRAY['2024-02-29'], ARRAY[65536, 65536], ARRAY[1e20], 65536),

-- negative zero
(20, true, -46341, -3037000500, -0.000, '-0', 'straße', 'STRASSE',
 '2100-03-01', '2100-02-28 12:00:00+00', '-1 mon',
 ARRAY['straße', 'STRASSE'], ARRAY[-46341], ARRAY[-0.000], -46341),

-- a line break, a trailing backslash (an invalid LIKE pattern)
(21, NULL, 12, 12, 12.345, 12.345, E'line1\nline2', 'ends with \',
 '2024-01-31', '2024-01-31 12:00:00+00', '1 mon 1 day',
 ARRAY[E'line1\nline2'], ARRAY[12], ARRAY[12.345], 12),

-- a date before the common era
(22, false, -100, -100, -100, -100, 'Ab', 'aB',
 '0044-03-15 BC', '2000-01-01 00:00:00+05:30', '-30 days',
 ARRAY['Ab', 'aB'], ARRAY[-100], ARRAY[-100], -100),

-- whole numbers as floats, a quote in the text
(23, true, 1, 1, 3.0, 3, 'it''s', 'IT''S',
 '1969-12-31', '1969-12-31 23:59:59.999999+00', '3 days 4 hours',
 ARRAY['it''s'], ARRAY[1, 2, 3], ARRAY[1, 2, 3], 1),

-- NULLs mixed with values
(24, NULL, 0, NULL, 0, NULL, NULL, 'x',
 NULL, '2024-02-29 00:00:00+00', NULL,
 NULL, ARRAY[0], NULL, 0),

(25, false, NULL, 7, NULL, 7, 'x', NULL,
 '2024-02-29', NULL, '0', ARRAY['x'], NULL, ARRAY[7], NULL),

-- a large exponent within double precision, a long text
(26, true, 31, 31, 1e-300, 1e-300,
 'The quick brown fox jumps over the lazy dog',
 'THE QUICK BROWN FOX',
 '1999-01-01', '1999-01-01 00:00:00+00', '1000 years',
 ARRAY['The', 'quick', 'brown', 'fox'], ARRAY[31, 30, 29], ARRAY[1e-300], 31),

-- text that casts to an interval and to a timestamp with a zone offset
(27, false, 8, 8, 8, 8, '1 day 02:00', '2024-02-29 12:00:00+05:30',
 '2024-12-31', '2024-12-31 23:59:59.999999+00', 'P1Y2M3DT4H5M6S',
 ARRAY['1 day 02:00'], ARRAY[8], ARRAY[8], 8);

ANALYZE difftest.t;
