#!/usr/bin/env python3
"""Generate random well-typed boolean expressions over the difftest.t columns.

Each expression is valid for PostgreSQL as written and is written one per
line. The same --seed and --count always give the same lines, and expression
number i depends only on (seed, i), so a failing line can be regenerated alone
with --first i --count 1.

Expressions may raise errors at run time (division by zero, overflow, invalid
casts). No error depends on PostgreSQL's plan-time constant folding, because
the folding rules below keep raising operations away from constants that
PostgreSQL would fold. README.md lists those rules under "What is excluded".
"""

import argparse
import math
import random
import sys
from fractions import Fraction

INT4_MIN, INT4_MAX = -2**31, 2**31 - 1
INT8_MIN, INT8_MAX = -2**63, 2**63 - 1

NUMERIC_TYPES = ('int4', 'int8', 'numeric', 'float8')
TEMPORAL_TYPES = ('date', 'timestamptz')
ARRAY_TYPES = ('text[]', 'int4[]', 'numeric[]')
SCALAR_TYPES = NUMERIC_TYPES + ('bool', 'text') + TEMPORAL_TYPES + ('interval',)
ALL_TYPES = SCALAR_TYPES + ARRAY_TYPES

# Columns of difftest.t by type.
COLUMNS = {
    'bool': ['b'],
    'int4': ['i4', 'id', '"Qty"'],
    'int8': ['i8'],
    'numeric': ['num'],
    'float8': ['f8'],
    'text': ['txt', 'txt_c'],
    'date': ['d'],
    'timestamptz': ['ts'],
    'interval': ['iv'],
    'text[]': ['ta'],
    'int4[]': ['ia'],
    'numeric[]': ['na'],
}

# Spellings of each type in a cast.
CAST_NAMES = {
    'bool': ['boolean', 'bool'],
    'int4': ['int', 'integer', 'int4'],
    'int8': ['bigint', 'int8'],
    'numeric': ['numeric'],
    'float8': ['float8', 'double precision'],
    'text': ['text'],
    'date': ['date'],
    'timestamptz': ['timestamptz'],
    'interval': ['interval'],
    'text[]': ['text[]'],
    'int4[]': ['int[]', 'integer[]'],
    'numeric[]': ['numeric[]'],
}

# Operator precedence levels, loosest to tightest, as in PostgreSQL 15.
P_OR, P_AND, P_NOT, P_IS, P_CMP, P_LIKE, P_OTHER = 3, 5, 10, 15, 20, 30, 40
P_ADD, P_MUL, P_POW, P_UNARY, P_CAST, P_ATOM = 50, 60, 70, 80, 90, 100

TEXT_VALUES = [
    '', 'a', 'A', 'b', 'abc', 'ABC', 'Ab', 'x', 'X', 'é', 'É', 'ß', 'Straße',
    'straße', 'STRASSE', '日本', '日本語', '🙂', 'İstanbul', 'ǅemal',
    'Hello World', 'hello world', "it's", 'NaN', '42', '10', ' 7 ',
    '2024-02-29', 'true', 'a%b_c\\d', '100%', '\\', '(', '  padded  ',
    'The quick brown fox', 'zzz', 'école', 'ÉCOLE',
]

LIKE_PATTERNS = [
    '%', '', '_', '__', 'a%', '%a', '%b%', 'A%', 'H_llo%', '%World', '%o w%',
    '%é%', 'É', '%ß%', 'STRASSE', 'straße', '日本%', '%🙂', '% %', '%\\%%',
    'a\\%b%', '%\\_%', '%\\\\%', '42', '_2', 'x', 'X', '%line%', 'İ%',
    '%c\\d', '\\a%', 'abc', 'ABC', '%(%',
]

REGEX_PATTERNS = [
    '^a', 'a$', '^$', '.', 'é', 'É', '[0-9]+', '\\d', '\\s', '^[A-Z]', '(ab|cd)',
    '[[:alpha:]]+', '[[:upper:]]', '[[:lower:]]', 'x*', 'o w', '^.{2}$', 'l+',
    '%', '_', '\\\\', '日', '🙂', 'ß', 'STRASSE', '\\w+', '[^a-z]', 'a{2,}',
    '(?i)hello', '^[[:digit:]]+$', 'line1.line2', 'line1$', '^line2', 'İ',
    '\\(', '[()]', '^.*$', 'b.*c', '(?:ab)+', 'quick|lazy',
]

DATE_VALUES = [
    '2024-02-29', '2000-01-01', '1999-12-31', '2023-02-28', '2024-03-01',
    '1970-01-01', '0001-01-01', '9999-12-31', '2000-02-29', '1900-02-28',
    '2100-03-01', '2016-02-29',
]
DATE_SPECIALS = ['infinity', '-infinity']
# Other input formats that PostgreSQL reads under DateStyle ISO.
DATE_FORMATS = ['Feb 29 2024', '20240229', '2024-2-29', 'February 29, 2024', '0044-03-15 BC',
                'epoch']

TIMESTAMPTZ_VALUES = [
    '2024-02-29 12:00:00+00', '2000-01-01 00:00:00+00',
    '1999-12-31 23:59:59.999999+00', '2023-03-26 01:30:00+00',
    '2024-03-10 07:00:00+00', '1970-01-01 00:00:00+00',
    '2000-01-01 00:00:00+05:30', '2024-01-01 04:00:00-05',
    '9999-12-31 23:59:59+00', '0001-01-01 00:00:00+00',
]
# Other input formats: ISO 8601, a named zone, no zone (the session's), epoch.
TIMESTAMPTZ_FORMATS = ['2024-02-29T12:00:00Z', '2024-02-29 12:00:00 America/New_York',
                       '2024-02-29 12:00:00', '2024-02-29 07:00:00-05:00', 'epoch',
                       'Thu Feb 29 12:00:00 2024 UTC', '2023-03-26 02:30:00 Europe/Berlin']

# Intervals small enough that adding one to a timestamp in years 1..9999
# cannot overflow.
INTERVAL_SMALL = [
    '1 day', '-1 day', '1 mon', '-1 mon', '30 days', '24 hours', '36 hours',
    '1 year', '1 year 2 mons', '00:00:01', '-00:00:01', '00:00:00.000001',
    '0', '1 mon 1 day', '1 day -1 hour', '3 days 04:00:00', '2 days',
    '-1 mons +1 day', '12 mons', '1000 years',
]
INTERVAL_SMALL += ['P1Y2M', 'P1DT2H3M4.5S', '1-2', '1.5 months', '@ 1 hour', '1 day 02:03:04.5',
                   '-1 year -2 mons +3 days', '1 week', '0.5 days', 'PT36H']
INTERVAL_BIG = ['178000000 years', '-178000000 years']

# Fields that extract accepts for each type in PostgreSQL 15; another field
# raises even for a constant, so it would fail at plan time.
EXTRACT_FIELDS = {
    'date': ['year', 'month', 'day', 'epoch', 'dow', 'quarter', 'week', 'doy', 'isodow',
             'decade', 'century', 'millennium', 'isoyear', 'julian'],
    'timestamptz': ['year', 'month', 'day', 'epoch', 'dow', 'quarter', 'week', 'doy', 'isodow',
                    'decade', 'century', 'millennium', 'isoyear', 'julian', 'hour', 'minute',
                    'second', 'milliseconds', 'microseconds', 'timezone', 'timezone_hour'],
    'interval': ['year', 'month', 'day', 'epoch', 'hour', 'minute', 'second', 'milliseconds',
                 'microseconds', 'quarter', 'decade', 'century', 'millennium'],
}

INT4_VALUES = [0, 1, -1, 2, 3, 5, 7, 10, 12, 31, 42, 100, -7, -10, -100, 1000000,
               46341, 65536, INT4_MAX, INT4_MIN, INT4_MAX - 1]
INT8_VALUES = [3000000000, -3000000000, 3037000500, 4294967296, 2**31, -2**31 - 1,
               INT8_MAX, INT8_MIN, 10**15, -10**18]
NUMERIC_VALUES = ['0.5', '1.5', '2.5', '-0.5', '-1.5', '0.1', '3.14159', '1.0',
                  '.5', '1e3', '2.5e-5', '0.000001', '100.00', '12.345', '-7.5',
                  '5.', '1E+2', '.5e1', '1e-3',
                  '99999999999999999999', '123456789012345678901234567890.123456789',
                  '1e20', '0.0', '3.0']
FLOAT8_VALUES = ['0.1', '0.5', '1.5', '2.5', '1e300', '1e-300', '5e-324',
                 '1.7976931348623157e308', '123456789.123456789', '3', '0', '1e20',
                 '7', '7.5']
FLOAT8_SPECIALS = ['NaN', 'Infinity', '-Infinity']
NUMERIC_SPECIALS = ['NaN', 'Infinity', '-Infinity']


class Expr:
    """One generated expression, with the properties that the folding rules use.

    has_col: it reads a column and PostgreSQL cannot fold it at plan time.
    risky: it, or a subexpression, may raise an error when evaluated.
    unknown: a bare string or NULL literal, whose type PostgreSQL takes from
      the context.
    maybe_null: for a constant (has_col False), whether it may be NULL.
    value: for a constant, its exact value when the generator can compute it
      (bool, int, Fraction or float), a marker for dates and timestamps
      ('fin', 'edge' for years 1 and 9999, 'inf') and intervals ('small',
      'big'), else None.
    """

    __slots__ = ('sql', 'type', 'prec', 'has_col', 'risky', 'unknown',
                 'maybe_null', 'value')

    def __init__(self, sql, type_, prec, has_col=False, risky=False,
                 unknown=False, maybe_null=False, value=None):
        self.sql = sql
        self.type = type_
        self.prec = prec
        self.has_col = has_col
        self.risky = risky
        self.unknown = unknown
        self.maybe_null = maybe_null
        self.value = value

    @property
    def const(self):
        return not self.has_col


class Retry(Exception):
    """Raised when a production cannot satisfy the folding rules; the caller
    picks another production."""


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


def comparable_family(type_):
    """Return the types that PostgreSQL compares with type_ directly."""
    if type_ in NUMERIC_TYPES:
        return NUMERIC_TYPES
    if type_ in TEMPORAL_TYPES:
        return TEMPORAL_TYPES
    return (type_,)


def int_range(type_):
    return (INT4_MIN, INT4_MAX) if type_ == 'int4' else (INT8_MIN, INT8_MAX)


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def compute_arith(op, type_, a, b):
    """Compute a constant arithmetic result as PostgreSQL would.

    Returns (value, ok): ok is False when PostgreSQL could raise an error or
    when the generator cannot tell.
    """
    if a is None or b is None:
        return None, False
    try:
        if type_ in ('int4', 'int8'):
            a, b = int(a), int(b)
            if op == '+':
                r = a + b
            elif op == '-':
                r = a - b
            elif op == '*':
                r = a * b
            elif op == '/':
                if b == 0:
                    return None, False
                r = trunc_div(a, b)
            elif op == '%':
                if b == 0:
                    return None, False
                r = a - b * trunc_div(a, b)
            else:
                return None, False
            lo, hi = int_range(type_)
            return (r, True) if lo <= r <= hi else (None, False)
        if type_ == 'numeric':
            a, b = Fraction(a), Fraction(b)
            if op == '+':
                return a + b, True
            if op == '-':
                return a - b, True
            if op == '*':
                return a * b, True
            if op in ('/', '%'):
                # The exact quotient may differ from PostgreSQL's rounded one,
                # so the result is not reused.
                return None, b != 0
            return None, False
        if type_ == 'float8':
            a, b = float(a), float(b)
            if op == '+':
                r = a + b
            elif op == '-':
                r = a - b
            elif op == '*':
                r = a * b
            elif op == '/':
                if b == 0:
                    return None, False
                r = a / b
            else:
                return None, False
            if math.isinf(r) or math.isnan(r):
                return None, False
            if r == 0 and a != 0 and op in ('*', '/'):
                return None, False  # underflow raises in PostgreSQL
            if r != 0 and abs(r) < 1e-300:
                return None, False
            return r, True
    except (OverflowError, ZeroDivisionError, ValueError):
        return None, False
    return None, False


def round_half_away(x):
    x = Fraction(x)
    n = math.floor(abs(x) + Fraction(1, 2))
    return n if x >= 0 else -n


class Generator:
    def __init__(self, rng, max_depth):
        self.rng = rng
        self.max_depth = max_depth

    # ---- small helpers -------------------------------------------------

    def chance(self, p):
        return self.rng.random() < p

    def choice(self, seq):
        return self.rng.choice(seq)

    def kw(self, word):
        """Spell a keyword or function name in a random case."""
        r = self.rng.random()
        if r < 0.6:
            return word.upper()
        if r < 0.9:
            return word.lower()
        return word.capitalize()

    def wrap(self, e, min_prec):
        """Return e's text, in parentheses when it binds looser than min_prec."""
        if e.prec < min_prec or (e.prec < P_ATOM and self.chance(0.03)):
            return '(' + e.sql + ')'
        return e.sql

    def binop(self, left, op, right):
        """Join two operand texts with a symbol operator, usually with spaces
        around it. Without spaces only where the lexer cannot merge the
        operator with a neighbouring sign or start a comment."""
        symbols = '+-*/<>=~!@#%^&|`?'
        if self.chance(0.1) and left[-1] not in symbols and right[0] not in symbols:
            return left + op + right
        return left + ' ' + op + ' ' + right

    def typed(self, e):
        """Give a bare literal an explicit type, so that no operator gets two
        operands of unknown type."""
        if not e.unknown:
            return e
        sql = self.wrap(e, P_CAST) + '::' + self.choice(CAST_NAMES[e.type])
        return Expr(sql, e.type, P_CAST, e.has_col, e.risky, False,
                    e.maybe_null, e.value)

    # ---- leaves ---------------------------------------------------------

    def column(self, type_):
        name = self.choice(COLUMNS[type_])
        if not name.startswith('"'):
            r = self.rng.random()
            if r < 0.1:
                name = '"' + name + '"'
            elif r < 0.2:
                name = name.upper()
        return Expr(name, type_, P_ATOM, has_col=True)

    def null(self, type_, allow_unknown):
        if allow_unknown and self.chance(0.6):
            return Expr(self.kw('null'), type_, P_ATOM, unknown=True, maybe_null=True)
        sql = self.kw('null') + '::' + self.choice(CAST_NAMES[type_])
        return Expr(sql, type_, P_CAST, maybe_null=True)

    def literal(self, type_, allow_unknown=False):
        """Generate a constant of type_.

        allow_unknown permits bare string and NULL literals, which take their
        type from the context.
        """
        if self.chance(0.08):
            return self.null(type_, allow_unknown)
        if type_ == 'bool':
            v = self.choice([True, False])
            return Expr(self.kw('true' if v else 'false'), 'bool', P_ATOM, value=v)
        if type_ == 'int4':
            v = self.choice(INT4_VALUES) if self.chance(0.5) else self.rng.randint(-20, 20)
            return self.int_literal(v, 'int4')
        if type_ == 'int8':
            return self.int8_literal()
        if type_ == 'numeric':
            return self.numeric_literal()
        if type_ == 'float8':
            return self.float8_literal()
        if type_ == 'text':
            sql = quote_literal(self.choice(TEXT_VALUES))
            if allow_unknown and self.chance(0.7):
                return Expr(sql, 'text', P_ATOM, unknown=True)
            return Expr(sql + '::text', 'text', P_CAST)
        if type_ in ('date', 'timestamptz', 'interval'):
            return self.temporal_literal(type_, allow_unknown)
        if type_ in ARRAY_TYPES:
            return self.array_literal(type_, allow_unknown)
        raise ValueError(type_)

    def int8_literal(self):
        if self.chance(0.3):
            v = self.rng.randint(-20, 20)
            text = '(%d)' % v if v < 0 else str(v)
            return Expr(text + '::' + self.choice(CAST_NAMES['int8']), 'int8', P_CAST, value=v)
        return self.int_literal(self.choice(INT8_VALUES), 'int8')

    def numeric_literal(self):
        if self.chance(0.06):
            sql = quote_literal(self.choice(NUMERIC_SPECIALS)) + '::numeric'
            return Expr(sql, 'numeric', P_CAST)
        text = self.choice(NUMERIC_VALUES)
        if text.startswith('-') or self.chance(0.2):
            if not text.startswith('-'):
                text = '-' + text
            return Expr(text, 'numeric', P_UNARY, value=Fraction(text))
        return Expr(text, 'numeric', P_ATOM, value=Fraction(text))

    def float8_literal(self):
        cast = '::' + self.choice(CAST_NAMES['float8'])
        if self.chance(0.1):
            return Expr(quote_literal(self.choice(FLOAT8_SPECIALS)) + cast, 'float8', P_CAST)
        text = self.choice(FLOAT8_VALUES)
        if self.chance(0.2):
            return Expr('(-' + text + ')' + cast, 'float8', P_CAST, value=-float(text))
        return Expr(text + cast, 'float8', P_CAST, value=float(text))

    def temporal_literal(self, type_, allow_unknown):
        """Generate a date, timestamptz or interval constant, as a bare string,
        a typed literal (date '...') or a cast ('...'::date)."""
        if type_ == 'interval':
            big = self.chance(0.05)
            text = self.choice(INTERVAL_BIG if big else INTERVAL_SMALL)
            value = 'big' if big else 'small'
        else:
            values = DATE_VALUES if type_ == 'date' else TIMESTAMPTZ_VALUES
            formats = DATE_FORMATS if type_ == 'date' else TIMESTAMPTZ_FORMATS
            r = self.rng.random()
            if r < 0.75:
                text = self.choice(values)
            elif r < 0.9:
                text = self.choice(formats)
            else:
                text = self.choice(DATE_SPECIALS)
            if 'infinity' in text:
                value = 'inf'
            elif type_ == 'timestamptz' and text[:4] in ('9999', '0001'):
                value = 'edge'
            else:
                value = 'fin'

        r = self.rng.random()
        if allow_unknown and r < 0.3:
            return Expr(quote_literal(text), type_, P_ATOM, unknown=True, value=value)
        if r < 0.7:
            return Expr(self.kw(type_) + ' ' + quote_literal(text), type_, P_ATOM, value=value)
        return Expr(quote_literal(text) + '::' + type_, type_, P_CAST, value=value)

    def int_literal(self, v, type_):
        # PostgreSQL folds a minus sign into a numeric literal, so -2147483648
        # is an integer and -9223372036854775808 a bigint.
        return Expr(str(v), type_, P_UNARY if v < 0 else P_ATOM, value=v)

    def array_literal(self, type_, allow_unknown):
        rng = self.rng
        elem = type_[:-2]
        r = rng.random()
        cast = self.choice(CAST_NAMES[type_])
        if r < 0.1:
            return Expr(self.kw('array') + '[]::' + cast, type_, P_CAST)
        if r < 0.25:
            # The '{...}' text form.
            if elem == 'text':
                items = [self.choice(['a', 'b', 'A', 'é', 'x', 'Hello', 'NULL', '""', '"a b"', '42'])
                         for _ in range(rng.randint(0, 3))]
            elif elem == 'int4':
                items = [str(self.choice([1, 2, 3, 5, 10, 42, -1, 0, 'NULL'])) for _ in range(rng.randint(0, 3))]
            else:
                items = [str(self.choice(['1.0', '1.5', '0.5', '2.50', '7', 'NULL', '0.1', 'NaN'])) for _ in range(rng.randint(0, 3))]
            text = quote_literal('{' + ','.join(items) + '}')
            if allow_unknown and self.chance(0.5):
                return Expr(text, type_, P_ATOM, unknown=True)
            return Expr(text + '::' + cast, type_, P_CAST)
        return None  # the caller builds ARRAY[...] from element expressions

    # ---- the main dispatcher --------------------------------------------

    def gen(self, type_, depth, need_col=False, allow_unknown=False, leaf_allowed=True):
        """Generate an expression of type_ with at most depth more levels.

        need_col: the expression must read a column.
        allow_unknown: the context gives a bare literal its type.
        leaf_allowed: False to make the expression an operation, not a column
          or literal, unless depth is 0.
        """
        for _ in range(30):
            try:
                e = self.gen_once(type_, depth, need_col, allow_unknown, leaf_allowed)
            except Retry:
                continue
            if need_col and not e.has_col:
                continue
            assert e.type == type_, (e.sql, e.type, type_)
            return e
        return self.column(type_)

    def gen_once(self, type_, depth, need_col, allow_unknown, leaf_allowed=True):
        leaf_p = 0.1 + 0.35 / max(depth, 1)
        if depth <= 0 or (leaf_allowed and self.chance(leaf_p)):
            if need_col or self.chance(0.55):
                return self.column(type_)
            e = self.literal(type_, allow_unknown)
            if e is None:
                return self.array_constructor(type_, 0, need_col)
            return e
        method = getattr(self, 'gen_' + type_.replace('[]', '_array'))
        return method(depth - 1, need_col, allow_unknown)

    def pick(self, table):
        """Pick one production from [(weight, function), ...]."""
        total = sum(w for w, _ in table)
        r = self.rng.random() * total
        for w, f in table:
            r -= w
            if r < 0:
                return f
        return table[-1][1]

    # ---- folding rules --------------------------------------------------

    @staticmethod
    def check_strict(args):
        """Reject a strict operator or function whose constant, possibly NULL
        argument would let PostgreSQL fold the call to NULL at plan time and
        so skip a sibling that raises."""
        if any(a.risky for a in args) and any(a.const and a.maybe_null for a in args):
            raise Retry

    @staticmethod
    def check_no_const_with_risky(args):
        """Reject constant arguments beside a risky one, for AND, OR, IN lists
        and COALESCE, which PostgreSQL simplifies or reorders at plan time."""
        if any(a.risky for a in args) and any(a.const for a in args):
            raise Retry

    @staticmethod
    def merge(sql, type_, prec, args, risky=False, value=None, maybe_null=None,
              strict=True, has_col=None):
        """Build the Expr of an operation over args.

        strict: the operation is NULL when an argument is NULL, so PostgreSQL
          folds it to a NULL constant when an argument is a NULL constant.
        has_col: False when PostgreSQL may fold the operation to a constant
          although it reads a column (the default is any argument reading one).
        """
        if has_col is None:
            has_col = any(a.has_col for a in args)
        if strict and any(a.const and a.maybe_null for a in args):
            has_col = False
        if has_col:
            return Expr(sql, type_, prec, True, risky or any(a.risky for a in args))
        if any(a.has_col for a in args):
            # Possibly folded: nothing is known about the constant.
            maybe_null, value = True, None
        elif maybe_null is None:
            maybe_null = any(a.maybe_null for a in args)
        return Expr(sql, type_, prec, False, risky or any(a.risky for a in args),
                    False, maybe_null, value)

    # ---- boolean ----------------------------------------------------------

    def gen_bool(self, depth, need_col, allow_unknown):
        f = self.pick([
            (14, self.bool_compare),
            (8, self.bool_and_or),
            (3, self.bool_not),
            (4, self.bool_is_null),
            (3, self.bool_is_truth),
            (4, self.bool_in),
            (3, self.bool_between),
            (5, self.bool_like),
            (4, self.bool_regex),
            (4, self.bool_array_op),
            (2, self.case_expr_of('bool')),
            (1, self.coalesce_of('bool')),
            (1, self.bool_now),
            (1, lambda d, n: self.cast_from('bool', ['int4', 'text'], d, n)),
        ])
        return f(depth, need_col)

    def comparable_pair(self):
        """Choose two types that PostgreSQL compares directly."""
        r = self.rng.random()
        if r < 0.4:
            return self.choice(NUMERIC_TYPES), self.choice(NUMERIC_TYPES)
        if r < 0.65:
            return 'text', 'text'
        if r < 0.82:
            return self.choice(TEMPORAL_TYPES), self.choice(TEMPORAL_TYPES)
        if r < 0.92:
            return 'interval', 'interval'
        return 'bool', 'bool'

    def two_operands(self, ta, tb, depth, need_col, allow_unknown=True):
        """Generate two operands; at most one is a bare literal."""
        col_side = self.rng.randrange(2)
        a = self.gen(ta, depth, need_col and col_side == 0, allow_unknown)
        b = self.gen(tb, depth, need_col and col_side == 1, allow_unknown and not a.unknown)
        if a.unknown and b.unknown:
            b = self.typed(b)
        return a, b

    def bool_compare(self, depth, need_col):
        ta, tb = self.comparable_pair()
        a, b = self.two_operands(ta, tb, depth, need_col)
        self.check_strict([a, b])
        op = self.choice(['<', '>', '=', '<=', '>=', '<>', '!=', '='])
        sql = self.binop(self.wrap(a, P_CMP + 1), op, self.wrap(b, P_CMP + 1))
        return self.merge(sql, 'bool', P_CMP, [a, b])

    def bool_and_or(self, depth, need_col):
        n = self.rng.randint(2, 3)
        op = self.choice(['AND', 'OR'])
        prec = P_AND if op == 'AND' else P_OR
        col_i = self.rng.randrange(n)
        args = [self.gen('bool', depth, need_col and i == col_i, True) for i in range(n)]
        self.check_no_const_with_risky(args)
        parts = [self.wrap(args[0], prec)] + [self.wrap(a, prec + 1) for a in args[1:]]
        sql = (' ' + self.kw(op) + ' ').join(parts)
        # A constant argument may decide the whole result at plan time.
        return self.merge(sql, 'bool', prec, args, strict=False,
                          has_col=all(a.has_col for a in args))

    def bool_not(self, depth, need_col):
        a = self.gen('bool', depth, need_col, True)
        return self.merge(self.kw('not') + ' ' + self.wrap(a, P_NOT), 'bool', P_NOT, [a],
                          maybe_null=a.maybe_null, strict=False)

    def bool_is_null(self, depth, need_col):
        a = self.gen(self.choice(ALL_TYPES), depth, need_col, False)
        test = self.kw('is') + (' ' + self.kw('not') if self.chance(0.5) else '') + ' ' + self.kw('null')
        return self.merge(self.wrap(a, P_IS + 1) + ' ' + test, 'bool', P_IS, [a],
                          maybe_null=False, strict=False)

    def bool_is_truth(self, depth, need_col):
        a = self.gen('bool', depth, need_col, True)
        test = (self.kw('is') + (' ' + self.kw('not') if self.chance(0.4) else '') + ' '
                + self.kw(self.choice(['true', 'false', 'unknown'])))
        return self.merge(self.wrap(a, P_IS + 1) + ' ' + test, 'bool', P_IS, [a],
                          maybe_null=False, strict=False)

    def bool_in(self, depth, need_col):
        ta, _ = self.comparable_pair()
        types = comparable_family(ta)
        x = self.gen(ta, depth, need_col, False)
        n = self.rng.randint(1, 5)
        items = [self.gen(self.choice(types), max(depth - 1, 0), False, True) for _ in range(n)]
        if x.unknown and all(i.unknown for i in items):
            x = self.typed(x)
        self.check_strict([x] + items)
        # PostgreSQL evaluates the items without columns first, as one
        # "= ANY (array)" test, so a raising item must not sit beside them.
        self.check_no_const_with_risky(items)
        op = self.kw('not') + ' ' + self.kw('in') if self.chance(0.3) else self.kw('in')
        sql = (self.wrap(x, P_LIKE + 1) + ' ' + op + ' ('
               + ', '.join(i.sql for i in items) + ')')
        return self.merge(sql, 'bool', P_LIKE, [x] + items)

    def bool_between(self, depth, need_col):
        ta, _ = self.comparable_pair()
        types = comparable_family(ta)
        x = self.gen(ta, depth, need_col, False)
        lo = self.gen(self.choice(types), max(depth - 1, 0), False, True)
        hi = self.gen(self.choice(types), max(depth - 1, 0), False, True)
        if x.unknown and (lo.unknown or hi.unknown):
            x = self.typed(x)
        self.check_strict([x, lo, hi])
        op = (self.kw('not') + ' ' if self.chance(0.3) else '') + self.kw('between')
        sql = (self.wrap(x, P_LIKE + 1) + ' ' + op + ' ' + self.wrap(lo, P_OTHER)
               + ' ' + self.kw('and') + ' ' + self.wrap(hi, P_OTHER))
        return self.merge(sql, 'bool', P_LIKE, [x, lo, hi])

    def bool_like(self, depth, need_col):
        x = self.gen('text', depth, need_col or self.chance(0.5), True)
        risky = False
        if self.chance(0.12):
            # A pattern read from a column may end in the escape character.
            p = self.column('text')
            risky = True
        else:
            p = Expr(quote_literal(self.choice(LIKE_PATTERNS)), 'text', P_ATOM, unknown=True)
            if x.has_col and self.chance(0.03):
                p = Expr(quote_literal('a\\'), 'text', P_ATOM, unknown=True)
                risky = True
        if x.unknown and p.unknown:
            x = self.typed(x)
        self.check_strict([x, p])
        if risky and not (x.has_col or p.has_col):
            raise Retry
        op = (self.kw('not') + ' ' if self.chance(0.3) else '') + self.kw(self.choice(['like', 'like', 'ilike']))
        sql = self.wrap(x, P_LIKE + 1) + ' ' + op + ' ' + self.wrap(p, P_LIKE + 1)
        return self.merge(sql, 'bool', P_LIKE, [x, p], risky=risky)

    def bool_regex(self, depth, need_col):
        x = self.gen('text', depth, need_col or self.chance(0.5), True)
        risky = False
        if self.chance(0.1):
            # A pattern read from a column may be an invalid regular expression.
            p = self.column('text')
            risky = True
        else:
            p = Expr(quote_literal(self.choice(REGEX_PATTERNS)), 'text', P_ATOM, unknown=True)
        if x.unknown and p.unknown:
            x = self.typed(x)
        self.check_strict([x, p])
        op = self.choice(['~', '~*', '!~', '!~*'])
        sql = self.binop(self.wrap(x, P_OTHER), op, self.wrap(p, P_OTHER + 1))
        return self.merge(sql, 'bool', P_OTHER, [x, p], risky=risky)

    def bool_array_op(self, depth, need_col):
        t = self.choice(ARRAY_TYPES)
        a, b = self.two_operands(t, t, depth, need_col)
        self.check_strict([a, b])
        op = self.choice(['@>', '<@', '&&'])
        sql = self.binop(self.wrap(a, P_OTHER), op, self.wrap(b, P_OTHER + 1))
        return self.merge(sql, 'bool', P_OTHER, [a, b])

    def bool_now(self, depth, need_col):
        """Compare now() or current_date, which stay fixed within the one
        transaction that evaluates both sides."""
        if self.chance(0.5):
            clock = Expr(self.kw('now') + '()', 'timestamptz', P_ATOM)
        else:
            clock = Expr(self.kw('current_date'), 'date', P_ATOM)
        other = self.gen(self.choice(TEMPORAL_TYPES), depth, need_col, True)
        self.check_strict([clock, other])
        op = self.choice(['<', '>', '=', '<=', '>=', '<>'])
        if self.chance(0.5):
            sql = clock.sql + ' ' + op + ' ' + self.wrap(other, P_CMP + 1)
        else:
            sql = self.wrap(other, P_CMP + 1) + ' ' + op + ' ' + clock.sql
        # The clock is not a constant for the folding rules: it is stable.
        return self.merge(sql, 'bool', P_CMP, [other])

    # ---- shared productions: CASE, COALESCE, LEAST, GREATEST -------------

    def case_expr_of(self, type_):
        return lambda depth, need_col: self.case_expr(type_, depth, need_col)

    def coalesce_of(self, type_):
        return lambda depth, need_col: self.coalesce(type_, depth, need_col)

    def result_args(self, type_, n, depth, need_col):
        """Generate n results of type_ for CASE, COALESCE, LEAST or GREATEST.

        Numeric results mix types that resolve to type_; a list of only bare
        literals gets one typed element unless type_ is text.
        """
        if type_ in NUMERIC_TYPES:
            lower = NUMERIC_TYPES[:NUMERIC_TYPES.index(type_) + 1]
            types = [self.choice(lower) for _ in range(n)]
            types[self.rng.randrange(n)] = type_
        elif type_ == 'timestamptz' and self.chance(0.3):
            types = [self.choice(TEMPORAL_TYPES) for _ in range(n)]
            types[self.rng.randrange(n)] = 'timestamptz'
        else:
            types = [type_] * n
        col_i = self.rng.randrange(n)
        args = [self.gen(t, depth, need_col and i == col_i, True) for i, t in enumerate(types)]
        if type_ != 'text' and not any(a.type == type_ and not a.unknown for a in args):
            # A bare literal takes the common type of the others, so one
            # argument of type_ itself must be typed.
            k = types.index(type_)
            args[k] = self.typed(args[k])
        return args

    def case_expr(self, type_, depth, need_col):
        """Generate CASE WHEN c THEN r ... [ELSE e] END, or the simple form
        CASE x WHEN v THEN r ... END, with results of type_."""
        n = self.rng.randint(1, 3)
        has_else = self.chance(0.7)
        results = self.result_args(type_, n + (1 if has_else else 0), depth,
                                   need_col and self.chance(0.5))

        simple = self.chance(0.35)
        if simple:
            tx, _ = self.comparable_pair()
            types = comparable_family(tx)
            subject = self.gen(tx, max(depth - 1, 0), need_col, False)
            conds = [self.gen(self.choice(types), max(depth - 1, 0), False, True) for _ in range(n)]
            if subject.unknown and any(c.unknown for c in conds):
                subject = self.typed(subject)
            tests = [subject] + conds
        else:
            subject = None
            conds = [self.gen('bool', max(depth - 1, 0), False, True) for _ in range(n)]
            tests = conds
        args = tests + results

        # PostgreSQL drops or keeps arms whose test folds to a constant. A
        # simple CASE tests "subject = value", which folds when the subject is
        # constant or the value is a NULL constant.
        if simple:
            foldable = subject.const or any(c.const and c.maybe_null for c in conds)
        else:
            foldable = any(c.const for c in conds)
        if foldable and any(a.risky for a in args):
            raise Retry
        if need_col and not any(a.has_col for a in args):
            raise Retry

        parts = [self.kw('case')]
        if simple:
            parts.append(subject.sql)
        for c, r in zip(conds, results):
            parts += [self.kw('when'), c.sql, self.kw('then'), r.sql]
        if has_else:
            parts += [self.kw('else'), results[-1].sql]
        parts.append(self.kw('end'))
        return self.merge(' '.join(parts), type_, P_ATOM, args,
                          maybe_null=not has_else or any(r.maybe_null for r in results),
                          strict=False,
                          has_col=any(a.has_col for a in args) and not foldable)

    def coalesce(self, type_, depth, need_col):
        n = self.rng.randint(1, 3)
        args = self.result_args(type_, n, depth, need_col)
        self.check_no_const_with_risky(args)
        sql = self.kw('coalesce') + '(' + ', '.join(a.sql for a in args) + ')'
        # PostgreSQL drops the arguments after the first non-NULL constant.
        has_col = False
        for a in args:
            if a.has_col:
                has_col = True
                break
            if not a.sql.upper().startswith('NULL'):
                break  # a constant that may be non-NULL
        return self.merge(sql, type_, P_ATOM, args, maybe_null=all(a.maybe_null for a in args),
                          strict=False, has_col=has_col)

    def least_greatest(self, type_, depth, need_col):
        n = self.rng.randint(1, 3)
        args = self.result_args(type_, n, depth, need_col)
        name = self.kw(self.choice(['least', 'greatest']))
        sql = name + '(' + ', '.join(a.sql for a in args) + ')'
        return self.merge(sql, type_, P_ATOM, args, maybe_null=all(a.maybe_null for a in args),
                          strict=False)

    def cast_from(self, type_, sources, depth, need_col):
        """Cast an expression of one of sources to type_."""
        src = self.choice(sources)
        a = self.gen(src, depth, need_col or src == 'text', False)
        value, ok = None, False
        if a.const:
            value, ok = self.cast_value(a, type_)
            if not ok:
                # The constant cast may raise; cast a column instead.
                a = self.gen(src, depth, True, False)
                value = None
        cast = self.choice(CAST_NAMES[type_])
        return self.merge(self.wrap(a, P_CAST) + '::' + cast, type_, P_CAST, [a],
                          risky=not ok, value=value)

    def cast_value(self, a, type_):
        """Compute the cast of constant a to type_.

        Returns (value, ok): ok is False when the cast may raise or the
        generator cannot tell.
        """
        v = a.value
        src = a.type
        if src == 'text':
            return None, False
        if type_ in ('int4', 'int8'):
            if v is None or src == 'bool':
                return None, src == 'bool'
            if src == 'float8':
                if not math.isfinite(v):
                    return None, False
                r = round(v)  # rint: halves to even, as PostgreSQL does
            elif src == 'numeric':
                r = round_half_away(v)
            else:
                r = int(v)
            lo, hi = int_range(type_)
            return (r, True) if lo <= r <= hi else (None, False)
        if type_ == 'numeric' and src == 'float8' and (v is None or abs(v) > 1e300):
            # The cast rounds to 15 digits, so the largest double becomes a
            # numeric above the double precision range, and comparing it with
            # a double raises.
            return None, False
        if type_ == 'numeric':
            if v is None:
                return None, True
            return Fraction(v), True
        if type_ == 'float8':
            if src == 'numeric':
                # Beyond the range of double precision the cast raises.
                if v is None or abs(v) > Fraction(10) ** 300:
                    return None, False
            return (float(v) if v is not None else None), True
        if type_ == 'timestamptz':
            # A date far beyond year 9999 does not fit a timestamp.
            return v, v in ('fin', 'inf')
        return None, True

    # ---- numbers ----------------------------------------------------------

    def gen_int4(self, depth, need_col, allow_unknown):
        f = self.pick([
            (10, lambda d, n: self.arith('int4', d, n)),
            (2, lambda d, n: self.negate('int4', d, n)),
            (2, lambda d, n: self.abs_of('int4', d, n)),
            (3, self.text_length),
            (2, self.array_cardinality),
            (2, self.date_diff),
            (3, lambda d, n: self.cast_from('int4', ['numeric', 'float8', 'int8', 'bool', 'text'], d, n)),
            (2, self.case_expr_of('int4')),
            (2, self.coalesce_of('int4')),
            (2, lambda d, n: self.least_greatest('int4', d, n)),
        ])
        return f(depth, need_col)

    def gen_int8(self, depth, need_col, allow_unknown):
        f = self.pick([
            (10, lambda d, n: self.arith('int8', d, n)),
            (2, lambda d, n: self.negate('int8', d, n)),
            (2, lambda d, n: self.abs_of('int8', d, n)),
            (3, lambda d, n: self.cast_from('int8', ['int4', 'numeric', 'float8', 'text'], d, n)),
            (2, self.case_expr_of('int8')),
            (1, self.coalesce_of('int8')),
            (2, lambda d, n: self.least_greatest('int8', d, n)),
        ])
        return f(depth, need_col)

    def gen_numeric(self, depth, need_col, allow_unknown):
        f = self.pick([
            (10, lambda d, n: self.arith('numeric', d, n)),
            (2, lambda d, n: self.negate('numeric', d, n)),
            (2, lambda d, n: self.abs_of('numeric', d, n)),
            (3, self.numeric_round),
            (2, lambda d, n: self.power('numeric', d, n)),
            (3, self.extract),
            (3, lambda d, n: self.cast_from('numeric', ['int4', 'int8', 'float8', 'text'], d, n)),
            (2, self.case_expr_of('numeric')),
            (1, self.coalesce_of('numeric')),
            (2, lambda d, n: self.least_greatest('numeric', d, n)),
        ])
        return f(depth, need_col)

    def gen_float8(self, depth, need_col, allow_unknown):
        f = self.pick([
            (10, lambda d, n: self.arith('float8', d, n)),
            (2, lambda d, n: self.negate('float8', d, n)),
            (2, lambda d, n: self.abs_of('float8', d, n)),
            (3, self.float_round),
            (2, lambda d, n: self.power('float8', d, n)),
            (3, lambda d, n: self.cast_from('float8', ['int4', 'int8', 'numeric', 'text'], d, n)),
            (2, self.case_expr_of('float8')),
            (1, self.coalesce_of('float8')),
            (2, lambda d, n: self.least_greatest('float8', d, n)),
        ])
        return f(depth, need_col)

    def arith_operand_types(self, type_, op):
        """Choose operand types whose result type under op is type_."""
        if type_ == 'int4':
            return 'int4', 'int4'
        if type_ == 'int8':
            pair = [self.choice(('int4', 'int8')), self.choice(('int4', 'int8'))]
            pair[self.rng.randrange(2)] = 'int8'
            return tuple(pair)
        lower = NUMERIC_TYPES[:NUMERIC_TYPES.index(type_) + 1]
        pair = [self.choice(lower), self.choice(lower)]
        pair[self.rng.randrange(2)] = type_
        return tuple(pair)

    def arith(self, type_, depth, need_col):
        ops = ['+', '-', '*', '/'] + (['%'] if type_ != 'float8' else [])
        op = self.choice(ops)
        ta, tb = self.arith_operand_types(type_, op)
        col_side = self.rng.randrange(2)
        a = self.gen(ta, depth, need_col and col_side == 0, True)
        b = self.gen(tb, depth, need_col and col_side == 1, not a.unknown)
        # A bare literal takes the type of the other operand.
        if a.unknown and (b.unknown or ta != tb):
            a = self.typed(a)
        if b.unknown and ta != tb:
            b = self.typed(b)
        value, ok = (None, False)
        if a.const and b.const:
            value, ok = compute_arith(op, type_, a.value, b.value)
            if not ok:
                # The constant result may raise; read a column instead.
                if self.chance(0.5):
                    a = self.gen(ta, depth, True, True)
                else:
                    b = self.gen(tb, depth, True, not a.unknown)
                if a.unknown and b.unknown:
                    b = self.typed(b)
        self.check_strict([a, b])
        prec = P_MUL if op in '*/%' else P_ADD
        sql = self.binop(self.wrap(a, prec), op, self.wrap(b, prec + 1))
        may_raise = not (type_ == 'numeric' and op in '+-*') and not ok
        return self.merge(sql, type_, prec, [a, b], risky=may_raise, value=value if ok else None)

    def negate(self, type_, depth, need_col):
        a = self.gen(type_, depth, need_col, False)
        if type_ == 'int8' and a.sql.isdigit() and -int(a.sql) >= INT4_MIN:
            # PostgreSQL folds the sign into the literal: - 2147483648 is an
            # integer, not a bigint.
            raise Retry
        value, ok = None, type_ in ('numeric', 'float8')
        if a.const:
            if a.value is not None:
                value = -a.value
                if type_ in ('int4', 'int8'):
                    lo, hi = int_range(type_)
                    ok = lo <= value <= hi
            if not ok:
                a = self.gen(type_, depth, True, False)
        operand = self.wrap(a, P_UNARY)
        if operand[0] in '+-':
            operand = '(' + operand + ')'
        if self.chance(0.15):
            # Unary plus: the value itself, for numbers only.
            return self.merge(self.choice(['+', '+ ']) + operand, type_, P_UNARY, [a],
                              value=a.value)
        sign = self.choice(['-', '- '])
        return self.merge(sign + operand, type_, P_UNARY, [a],
                          risky=type_ in ('int4', 'int8') and not ok,
                          value=value if ok else None)

    def abs_of(self, type_, depth, need_col):
        a = self.gen(type_, depth, need_col, False)
        ok = type_ not in ('int4', 'int8')
        value = None
        if a.const and a.value is not None:
            value = abs(a.value)
            lo, hi = int_range(type_) if type_ in ('int4', 'int8') else (None, None)
            ok = hi is None or value <= hi
            if not ok:
                a = self.gen(type_, depth, True, False)
        elif a.const and not ok:
            a = self.gen(type_, depth, True, False)
        return self.merge(self.kw('abs') + '(' + a.sql + ')', type_, P_ATOM, [a],
                          risky=not ok, value=value if ok else None)

    def numeric_round(self, depth, need_col):
        """Generate round, floor or ceil with a numeric result."""
        r = self.rng.random()
        if r < 0.4:
            src = self.choice(('int4', 'int8', 'numeric'))
            a = self.gen(src, depth, need_col, False)
            if src != 'numeric' and a.unknown:
                a = self.typed(a)
            scale = self.gen('int4', max(depth - 2, 0), False, False) if self.chance(0.3) else \
                self.int_literal(self.rng.randint(-3, 4), 'int4')
            self.check_strict([a, scale])
            sql = self.kw('round') + '(' + a.sql + ', ' + scale.sql + ')'
            return self.merge(sql, 'numeric', P_ATOM, [a, scale])
        a = self.gen('numeric', depth, need_col, False)
        name = self.kw(self.choice(['round', 'floor', 'ceil']))
        return self.merge(name + '(' + a.sql + ')', 'numeric', P_ATOM, [a])

    def float_round(self, depth, need_col):
        """Generate round, floor or ceil with a double precision result: of a
        float8, or of an integer, which PostgreSQL converts to double precision."""
        src = self.choice(('float8', 'float8', 'int4', 'int8'))
        a = self.gen(src, depth, need_col, False)
        if a.unknown:
            a = self.typed(a)
        name = self.kw(self.choice(['round', 'floor', 'ceil']))
        return self.merge(name + '(' + a.sql + ')', 'float8', P_ATOM, [a])

    def power(self, type_, depth, need_col):
        """Generate x ^ y. numeric ^ numeric is numeric, and so is numeric with
        an integer. Any other mix is double precision."""
        if type_ == 'numeric':
            ta = self.choice(('numeric', 'int4', 'int8'))
            tb = 'numeric' if ta != 'numeric' else self.choice(('numeric', 'int4'))
        else:
            ta = self.choice(('float8', 'int4', 'int8', 'numeric'))
            tb = 'float8' if ta == 'numeric' else self.choice(('float8', 'int4', 'int8'))
        a = self.gen(ta, max(depth - 1, 0), False, False)
        if self.chance(0.6):
            exponents = {'numeric': ['0.5', '2.5', '-1.5', '0.0'], 'float8': ['0.5::float8', '2::float8', '(-1)::float8'],
                         'int4': ['2', '3', '0', '-1', '10'], 'int8': ['2::bigint', '3::int8']}
            b = Expr(self.choice(exponents[tb]), tb, P_CAST if '::' in exponents[tb][0] else P_ATOM)
            if b.sql.startswith('-'):
                b = Expr(b.sql, tb, P_UNARY)
        else:
            b = self.column(tb)
        if not (a.has_col or b.has_col):
            a = self.gen(ta, max(depth - 1, 0), True, False)
        self.check_strict([a, b])
        sql = self.binop(self.wrap(a, P_POW), '^', self.wrap(b, P_POW + 1))
        return self.merge(sql, type_, P_POW, [a, b], risky=True)

    def text_length(self, depth, need_col):
        a = self.gen('text', depth, need_col, self.chance(0.5))
        return self.merge(self.kw('length') + '(' + a.sql + ')', 'int4', P_ATOM, [a])

    def array_cardinality(self, depth, need_col):
        a = self.gen(self.choice(ARRAY_TYPES), depth, need_col, False)
        return self.merge(self.kw('cardinality') + '(' + a.sql + ')', 'int4', P_ATOM, [a])

    def date_diff(self, depth, need_col):
        a, b = self.two_operands('date', 'date', depth, need_col, allow_unknown=False)
        risky = not (a.const and b.const and a.value == 'fin' and b.value == 'fin')
        if risky and a.const and b.const:
            a = self.gen('date', depth, True, False)
        self.check_strict([a, b])
        sql = self.binop(self.wrap(a, P_ADD), '-', self.wrap(b, P_ADD + 1))
        return self.merge(sql, 'int4', P_ADD, [a, b], risky=risky)

    def extract(self, depth, need_col):
        src = self.choice(('date', 'timestamptz', 'interval'))
        fields = EXTRACT_FIELDS[src] if self.chance(0.3) else ['year', 'month', 'day', 'epoch']
        a = self.gen(src, depth, need_col, False)
        sql = (self.kw('extract') + '(' + self.kw(self.choice(fields)) + ' ' + self.kw('from')
               + ' ' + a.sql + ')')
        # extract of an infinite date is NULL for some fields.
        return self.merge(sql, 'numeric', P_ATOM, [a], maybe_null=True)

    # ---- text -------------------------------------------------------------

    def gen_text(self, depth, need_col, allow_unknown):
        f = self.pick([
            (5, self.text_func),
            (4, self.text_concat),
            (4, self.text_cast),
            (2, self.case_expr_of('text')),
            (2, self.coalesce_of('text')),
            (2, lambda d, n: self.least_greatest('text', d, n)),
        ])
        return f(depth, need_col)

    def text_func(self, depth, need_col):
        a = self.gen('text', depth, need_col, self.chance(0.4))
        name = self.kw(self.choice(['lower', 'upper', 'trim']))
        return self.merge(name + '(' + a.sql + ')', 'text', P_ATOM, [a])

    def text_concat(self, depth, need_col):
        a, b = self.two_operands('text', 'text', depth, need_col)
        self.check_strict([a, b])
        sql = self.binop(self.wrap(a, P_OTHER), '||', self.wrap(b, P_OTHER + 1))
        return self.merge(sql, 'text', P_OTHER, [a, b])

    def text_cast(self, depth, need_col):
        src = self.choice([t for t in SCALAR_TYPES if t != 'text'] + ['int4[]', 'text[]'])
        a = self.gen(src, depth, need_col, False)
        if a.unknown:
            a = self.typed(a)
        return self.merge(self.wrap(a, P_CAST) + '::text', 'text', P_CAST, [a])

    # ---- dates, timestamps and intervals ----------------------------------

    def gen_date(self, depth, need_col, allow_unknown):
        f = self.pick([
            (6, self.date_plus_int),
            (3, lambda d, n: self.cast_from('date', ['timestamptz', 'text'], d, n)),
            (2, self.case_expr_of('date')),
            (1, self.coalesce_of('date')),
            (2, lambda d, n: self.least_greatest('date', d, n)),
        ])
        return f(depth, need_col)

    def date_plus_int(self, depth, need_col):
        r = self.rng.random()
        col_side = self.rng.randrange(2)
        d = self.gen('date', depth, need_col and col_side == 0, False)
        n = self.gen('int4', depth, need_col and col_side == 1, False)
        if n.unknown:
            n = self.typed(n)
        safe = d.const and n.const and n.value is not None and abs(n.value) < 100000
        if d.const and n.const and not safe:
            d = self.gen('date', depth, True, False)
        self.check_strict([d, n])
        if r < 0.4:
            sql = self.binop(self.wrap(d, P_ADD), '+', self.wrap(n, P_ADD + 1))
        elif r < 0.6:
            sql = self.binop(self.wrap(n, P_ADD), '+', self.wrap(d, P_ADD + 1))
        else:
            sql = self.binop(self.wrap(d, P_ADD), '-', self.wrap(n, P_ADD + 1))
        return self.merge(sql, 'date', P_ADD, [d, n], risky=not safe,
                          value='fin' if safe and d.value == 'fin' else None)

    def gen_timestamptz(self, depth, need_col, allow_unknown):
        f = self.pick([
            (6, self.ts_plus_interval),
            (2, lambda d, n: self.cast_from('timestamptz', ['date', 'date', 'text'], d, n)),
            (2, self.case_expr_of('timestamptz')),
            (1, self.coalesce_of('timestamptz')),
            (2, lambda d, n: self.least_greatest('timestamptz', d, n)),
        ])
        return f(depth, need_col)

    def ts_plus_interval(self, depth, need_col):
        r = self.rng.random()
        col_side = self.rng.randrange(2)
        t = self.gen('timestamptz', depth, need_col and col_side == 0, False)
        i = self.gen('interval', depth, need_col and col_side == 1, False)
        if t.unknown:
            t = self.typed(t)
        if i.unknown:
            i = self.typed(i)
        safe = t.const and i.const and (t.value == 'inf' or (t.value == 'fin' and i.value == 'small'))
        if t.const and i.const and not safe:
            t = self.gen('timestamptz', depth, True, False)
        self.check_strict([t, i])
        if r < 0.4:
            sql = self.binop(self.wrap(t, P_ADD), '+', self.wrap(i, P_ADD + 1))
        elif r < 0.6:
            sql = self.binop(self.wrap(i, P_ADD), '+', self.wrap(t, P_ADD + 1))
        else:
            sql = self.binop(self.wrap(t, P_ADD), '-', self.wrap(i, P_ADD + 1))
        return self.merge(sql, 'timestamptz', P_ADD, [t, i], risky=not safe,
                          value=t.value if safe else None)

    def gen_interval(self, depth, need_col, allow_unknown):
        f = self.pick([
            (3, self.interval_arith),
            (2, self.ts_diff),
            (1, lambda d, n: self.negate_interval(d, n)),
            (1, lambda d, n: self.cast_from('interval', ['text'], d, n)),
            (2, self.case_expr_of('interval')),
            (1, self.coalesce_of('interval')),
            (1, lambda d, n: self.least_greatest('interval', d, n)),
        ])
        return f(depth, need_col)

    def interval_arith(self, depth, need_col):
        a, b = self.two_operands('interval', 'interval', depth, need_col, allow_unknown=False)
        safe = a.const and b.const and a.value == 'small' and b.value == 'small'
        if a.const and b.const and not safe:
            a = self.gen('interval', depth, True, False)
        self.check_strict([a, b])
        op = self.choice(['+', '-'])
        sql = self.binop(self.wrap(a, P_ADD), op, self.wrap(b, P_ADD + 1))
        return self.merge(sql, 'interval', P_ADD, [a, b], risky=not safe,
                          value='big' if safe else None)

    def ts_diff(self, depth, need_col):
        a, b = self.two_operands('timestamptz', 'timestamptz', depth, need_col, allow_unknown=False)
        if a.const and b.const:
            a = self.gen('timestamptz', depth, True, False)
        self.check_strict([a, b])
        sql = self.binop(self.wrap(a, P_ADD), '-', self.wrap(b, P_ADD + 1))
        return self.merge(sql, 'interval', P_ADD, [a, b], risky=True)

    def negate_interval(self, depth, need_col):
        a = self.gen('interval', depth, True, False)
        operand = self.wrap(a, P_UNARY)
        if operand.startswith('-'):
            operand = '(' + operand + ')'
        return self.merge('- ' + operand, 'interval', P_UNARY, [a], risky=True)

    # ---- arrays -------------------------------------------------------------

    def array_constructor(self, type_, depth, need_col):
        """Generate ARRAY[e1, ...] whose elements resolve to exactly type_'s
        element type."""
        elem = type_[:-2]
        n = self.rng.randint(1, 4)
        if elem == 'numeric':
            types = [self.choice(('int4', 'numeric')) for _ in range(n)]
            types[self.rng.randrange(n)] = 'numeric'
        else:
            types = [elem] * n
        col_i = self.rng.randrange(n)
        items = [self.gen(t, max(depth - 1, 0), need_col and i == col_i, True)
                 for i, t in enumerate(types)]
        typed_items = [i for i in items if not i.unknown]
        if elem != 'text' and not any(i.type == elem and not i.unknown for i in items):
            k = next(k for k, t in enumerate(types) if t == elem)
            items[k] = self.typed(items[k])
        if elem == 'text' and not typed_items and all(i.sql.upper() == 'NULL' for i in items):
            items[0] = self.typed(items[0])
        sql = self.kw('array') + '[' + ', '.join(i.sql for i in items) + ']'
        return self.merge(sql, type_, P_ATOM, items, maybe_null=False, strict=False)

    def gen_array(self, type_, depth, need_col):
        f = self.pick([
            (5, lambda d, n: self.array_constructor(type_, d, n)),
            (2, self.case_expr_of(type_)),
            (2, self.coalesce_of(type_)),
        ])
        return f(depth, need_col)

    def gen_text_array(self, depth, need_col, allow_unknown):
        return self.gen_array('text[]', depth, need_col)

    def gen_int4_array(self, depth, need_col, allow_unknown):
        return self.gen_array('int4[]', depth, need_col)

    def gen_numeric_array(self, depth, need_col, allow_unknown):
        return self.gen_array('numeric[]', depth, need_col)


def generate(seed, index, max_depth):
    rng = random.Random('%s:%d' % (seed, index))
    g = Generator(rng, max_depth)
    depth = rng.randint(min(3, max_depth), max_depth)
    sql = g.gen('bool', depth, need_col=rng.random() < 0.9, allow_unknown=True,
                leaf_allowed=False).sql
    r = rng.random()
    if r < 0.02:
        sql = '/* rule */ ' + sql
    elif r < 0.03:
        sql = '/* outer /* nested */ comment */' + sql
    elif r < 0.05:
        sql = sql + ' /* end */'
    return sql


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', default='1', help='seed of the random generator (default 1)')
    parser.add_argument('--count', type=int, default=10000, help='number of expressions (default 10000)')
    parser.add_argument('--first', type=int, default=0,
                        help='number of the first expression, to regenerate a range (default 0)')
    parser.add_argument('--max-depth', type=int, default=5, help='maximum nesting depth (default 5)')
    parser.add_argument('--numbered', action='store_true',
                        help='write "number<TAB>expression" lines in the text format of '
                             'PostgreSQL COPY, with backslashes doubled')
    args = parser.parse_args()
    out = sys.stdout
    for i in range(args.first, args.first + args.count):
        expr = generate(args.seed, i, args.max_depth)
        if '\n' in expr or '\t' in expr:
            raise SystemExit('gen.py: expression %d contains a line break or tab' % i)
        if args.numbered:
            # COPY's text format reads a backslash as an escape character.
            out.write('%d\t%s\n' % (i, expr.replace('\\', '\\\\')))
        else:
            out.write(expr + '\n')


if __name__ == '__main__':
    main()
