/*-------------------------------------------------------------------------
 *
 * parse.c
 *	  Lexer and recursive-descent parser of the olpe rule language.
 *
 * The grammar follows PostgreSQL's a_expr closely enough that an expression
 * reads the same in olpe and in a SELECT list: the same operator precedence
 * (see docs/rule-language.md), the same literal typing (an integer literal
 * is integer, bigint or numeric depending on its size, a negated numeric
 * literal is folded into the literal), and the same lexical rules for
 * identifiers, strings, operators and comments.
 *
 * The parser builds OlpeAst nodes in CurrentMemoryContext. Every node knows
 * its source span, so that errors and olpe.explain can quote the text that
 * a node came from, and its height, so that nesting deeper than
 * olpe.max_expression_depth is rejected before any recursive pass runs.
 *
 * src/parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "olpe.h"

typedef enum TokenKind
{
	TK_EOF,
	TK_IDENT,					/* unquoted, folded to lower case */
	TK_QIDENT,					/* "quoted" */
	TK_STRING,
	TK_INTEGER,
	TK_DECIMAL,
	TK_PARAM,
	TK_OP,						/* operator */
	TK_LPAREN,
	TK_RPAREN,
	TK_LBRACKET,
	TK_RBRACKET,
	TK_COMMA,
	TK_DOT,
	TK_TYPECAST					/* :: */
} TokenKind;

typedef struct Token
{
	TokenKind	kind;
	char	   *str;			/* value: folded identifier, string, operator */
	int			location;
	int			end;
} Token;

typedef struct Parser
{
	const char *text;
	int			len;
	int			pos;			/* lexer position */
	Token		tok;			/* current token */
	Token		next;			/* one token of lookahead */
	bool		have_next;
	int			nesting;		/* parse_or and sign recursion in progress */
} Parser;

static void lex(Parser *p, Token *tok);
static OlpeAst *parse_or(Parser *p);
static OlpeAst *parse_other(Parser *p);

/*
 * olpe_errposition
 *		Point an error at a byte offset of a rule expression.
 *
 * Like a PL/pgSQL error in an internal query, the position is reported as
 * an internal query position, so psql prints the expression with a caret
 * under the fault. Returns 0 so that it can be used inside ereport().
 */
int
olpe_errposition(const char *text, int location)
{
	if (text == NULL || location < 0)
		return 0;
	internalerrquery(text);
	internalerrposition(pg_mbstrlen_with_len(text, location) + 1);
	return 0;
}

/* Raise a syntax error at the current token. */
static void
syntax_error(Parser *p, const Token *tok)
{
	if (tok->kind == TK_EOF)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("syntax error at end of rule expression"),
				 olpe_errposition(p->text, tok->location)));
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("syntax error at or near \"%s\"", tok->str),
			 olpe_errposition(p->text, tok->location)));
}

static bool
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		c >= 0x80;
}

static bool
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool
is_op_char(char c)
{
	return strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* Skip white space and comments. */
static void
skip_space(Parser *p)
{
	for (;;)
	{
		while (p->pos < p->len && scanner_isspace(p->text[p->pos]))
			p->pos++;
		if (p->pos + 1 < p->len && p->text[p->pos] == '-' &&
			p->text[p->pos + 1] == '-')
		{
			while (p->pos < p->len && p->text[p->pos] != '\n')
				p->pos++;
			continue;
		}
		if (p->pos + 1 < p->len && p->text[p->pos] == '/' &&
			p->text[p->pos + 1] == '*')
		{
			int			start = p->pos;
			int			nest = 0;

			/* block comments nest, as in PostgreSQL */
			while (p->pos + 1 < p->len)
			{
				if (p->text[p->pos] == '/' && p->text[p->pos + 1] == '*')
				{
					nest++;
					p->pos += 2;
				}
				else if (p->text[p->pos] == '*' && p->text[p->pos + 1] == '/')
				{
					p->pos += 2;
					if (--nest == 0)
						break;
				}
				else
					p->pos++;
			}
			if (nest > 0)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unterminated /* comment in rule expression"),
						 olpe_errposition(p->text, start)));
			continue;
		}
		break;
	}
}

/* Read one token at p->pos into *tok. */
static void
lex(Parser *p, Token *tok)
{
	const char *t = p->text;
	int			start;

	skip_space(p);
	start = p->pos;
	tok->location = start;

	if (p->pos >= p->len)
	{
		tok->kind = TK_EOF;
		tok->str = "";
		tok->end = start;
		return;
	}

	if (is_ident_start((unsigned char) t[p->pos]))
	{
		while (p->pos < p->len && is_ident_char((unsigned char) t[p->pos]))
			p->pos++;
		tok->kind = TK_IDENT;
		tok->str = downcase_identifier(t + start, p->pos - start, false, false);
	}
	else if (t[p->pos] == '"')
	{
		StringInfoData buf;

		initStringInfo(&buf);
		p->pos++;
		for (;;)
		{
			if (p->pos >= p->len)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unterminated quoted identifier in rule expression"),
						 olpe_errposition(p->text, start)));
			if (t[p->pos] == '"')
			{
				if (p->pos + 1 < p->len && t[p->pos + 1] == '"')
				{
					appendStringInfoChar(&buf, '"');
					p->pos += 2;
					continue;
				}
				p->pos++;
				break;
			}
			appendStringInfoChar(&buf, t[p->pos++]);
		}
		if (buf.len == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("zero-length delimited identifier in rule expression"),
					 olpe_errposition(p->text, start)));
		tok->kind = TK_QIDENT;
		tok->str = buf.data;
	}
	else if (t[p->pos] == '\'')
	{
		StringInfoData buf;

		initStringInfo(&buf);
		p->pos++;
		for (;;)
		{
			if (p->pos >= p->len)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unterminated quoted string in rule expression"),
						 olpe_errposition(p->text, start)));
			if (t[p->pos] == '\'')
			{
				if (p->pos + 1 < p->len && t[p->pos + 1] == '\'')
				{
					appendStringInfoChar(&buf, '\'');
					p->pos += 2;
					continue;
				}
				p->pos++;
				break;
			}
			appendStringInfoChar(&buf, t[p->pos++]);
		}
		tok->kind = TK_STRING;
		tok->str = buf.data;
	}
	else if (isdigit((unsigned char) t[p->pos]) ||
			 (t[p->pos] == '.' && p->pos + 1 < p->len &&
			  isdigit((unsigned char) t[p->pos + 1])))
	{
		bool		decimal = false;

		while (p->pos < p->len && isdigit((unsigned char) t[p->pos]))
			p->pos++;
		if (p->pos < p->len && t[p->pos] == '.' &&
			!(p->pos + 1 < p->len && t[p->pos + 1] == '.'))
		{
			decimal = true;
			p->pos++;
			while (p->pos < p->len && isdigit((unsigned char) t[p->pos]))
				p->pos++;
		}
		if (p->pos < p->len && (t[p->pos] == 'e' || t[p->pos] == 'E'))
		{
			int			save = p->pos;

			p->pos++;
			if (p->pos < p->len && (t[p->pos] == '+' || t[p->pos] == '-'))
				p->pos++;
			if (p->pos < p->len && isdigit((unsigned char) t[p->pos]))
			{
				decimal = true;
				while (p->pos < p->len && isdigit((unsigned char) t[p->pos]))
					p->pos++;
			}
			else
				p->pos = save;
		}
		if (p->pos < p->len && is_ident_start((unsigned char) t[p->pos]))
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("trailing junk after numeric literal at or near \"%.*s\"",
							p->pos - start + 1, t + start),
					 olpe_errposition(p->text, start)));
		tok->kind = decimal ? TK_DECIMAL : TK_INTEGER;
		tok->str = pnstrdup(t + start, p->pos - start);
	}
	else if (t[p->pos] == '$')
	{
		p->pos++;
		if (p->pos >= p->len || !is_ident_start((unsigned char) t[p->pos]) ||
			(unsigned char) t[p->pos] >= 0x80)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("syntax error at or near \"$\""),
					 errhint("A parameter reference is written $name, with a letter or underscore first."),
					 olpe_errposition(p->text, start)));
		while (p->pos < p->len &&
			   ((t[p->pos] >= 'a' && t[p->pos] <= 'z') ||
				(t[p->pos] >= 'A' && t[p->pos] <= 'Z') ||
				(t[p->pos] >= '0' && t[p->pos] <= '9') || t[p->pos] == '_'))
			p->pos++;
		tok->kind = TK_PARAM;
		tok->str = pnstrdup(t + start + 1, p->pos - start - 1);
	}
	else if (t[p->pos] == ':' && p->pos + 1 < p->len && t[p->pos + 1] == ':')
	{
		p->pos += 2;
		tok->kind = TK_TYPECAST;
		tok->str = "::";
	}
	else if (is_op_char(t[p->pos]))
	{
		int			n = 0;
		bool		special = false;

		/* the longest run of operator characters that starts no comment */
		while (p->pos + n < p->len && is_op_char(t[p->pos + n]))
		{
			if (n > 0 && p->pos + n + 1 < p->len &&
				((t[p->pos + n] == '-' && t[p->pos + n + 1] == '-') ||
				 (t[p->pos + n] == '/' && t[p->pos + n + 1] == '*')))
				break;
			if (strchr("~!@#%^&|`?", t[p->pos + n]) != NULL)
				special = true;
			n++;
		}

		/*
		 * As in PostgreSQL, a trailing + or - belongs to the next token unless
		 * the operator has one of ~ ! @ # % ^ & | ` ?, so "x>-1" is "x > -1".
		 */
		if (!special)
			while (n > 1 && (t[p->pos + n - 1] == '+' || t[p->pos + n - 1] == '-'))
				n--;
		p->pos += n;
		tok->kind = TK_OP;
		tok->str = pnstrdup(t + start, n);
		if (strcmp(tok->str, "!=") == 0)
			tok->str = "<>";
	}
	else
	{
		int			clen = pg_mblen(t + p->pos);

		switch (t[p->pos])
		{
			case '(':
				tok->kind = TK_LPAREN;
				break;
			case ')':
				tok->kind = TK_RPAREN;
				break;
			case '[':
				tok->kind = TK_LBRACKET;
				break;
			case ']':
				tok->kind = TK_RBRACKET;
				break;
			case ',':
				tok->kind = TK_COMMA;
				break;
			case '.':
				tok->kind = TK_DOT;
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("syntax error at or near \"%.*s\"", clen, t + p->pos),
						 olpe_errposition(p->text, start)));
		}
		tok->str = pnstrdup(t + p->pos, 1);
		p->pos += 1;
	}
	tok->end = p->pos;
}

static void
advance(Parser *p)
{
	if (p->have_next)
	{
		p->tok = p->next;
		p->have_next = false;
	}
	else
		lex(p, &p->tok);
}

static Token *
peek(Parser *p)
{
	if (!p->have_next)
	{
		lex(p, &p->next);
		p->have_next = true;
	}
	return &p->next;
}

/* Is the current token the unquoted keyword kw? */
static bool
is_kw(const Token *tok, const char *kw)
{
	return tok->kind == TK_IDENT && strcmp(tok->str, kw) == 0;
}

static bool
is_op(const Token *tok, const char *op)
{
	return tok->kind == TK_OP && strcmp(tok->str, op) == 0;
}

static void
expect_kw(Parser *p, const char *kw)
{
	if (!is_kw(&p->tok, kw))
		syntax_error(p, &p->tok);
	advance(p);
}

static void
expect(Parser *p, TokenKind kind)
{
	if (p->tok.kind != kind)
		syntax_error(p, &p->tok);
	advance(p);
}

/* Words that cannot name a column unless quoted. */
static bool
is_reserved(const char *word)
{
	static const char *const reserved[] = {
		"and", "or", "not", "in", "is", "null", "true", "false", "unknown",
		"between", "like", "ilike", "case", "when", "then", "else", "end",
		"array", "contains_any_word", "extract", "from", "current_date",
		NULL
	};

	for (int i = 0; reserved[i]; i++)
		if (strcmp(word, reserved[i]) == 0)
			return true;
	return false;
}

/* Make a node whose span runs from start to the end of the last token. */
static OlpeAst *
make_node(OlpeAstKind kind, int location, int end)
{
	OlpeAst    *n = palloc0(sizeof(OlpeAst));

	n->kind = kind;
	n->location = location;
	n->end = end;
	n->depth = 1;
	return n;
}

/*
 * Record a child and enforce olpe.max_expression_depth, so that the
 * recursive passes after parsing can never run out of stack.
 */
static void
note_child(Parser *p, OlpeAst *n, OlpeAst *child)
{
	if (child->depth + 1 > n->depth)
		n->depth = child->depth + 1;
	if (child->end > n->end)
		n->end = child->end;
	if (n->depth > olpe_max_expression_depth)
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("rule expression is nested more than %d levels deep",
						olpe_max_expression_depth),
				 errhint("Simplify the expression, or raise \"olpe.max_expression_depth\"."),
				 olpe_errposition(p->text, child->location)));
}

static void
add_arg(Parser *p, OlpeAst *n, OlpeAst *child)
{
	n->args = lappend(n->args, child);
	note_child(p, n, child);
}

static OlpeAst *
make_binary(Parser *p, OlpeAstKind kind, const char *name,
			OlpeAst *left, OlpeAst *right)
{
	OlpeAst    *n = make_node(kind, left->location, right->end);

	n->name = name ? pstrdup(name) : NULL;
	add_arg(p, n, left);
	add_arg(p, n, right);
	return n;
}

/*
 * Parse a type name for a cast or a typed literal and return its OID, or
 * InvalidOid when the current token starts no type name (only when
 * must is false). Accepts the names PostgreSQL accepts for the rule
 * language's types, and a trailing [] for arrays.
 */
static Oid
parse_typename(Parser *p, bool must)
{
	Token		first = p->tok;
	Oid			typid = InvalidOid;
	const char *w;

	if (first.kind != TK_IDENT && first.kind != TK_QIDENT)
	{
		if (must)
			syntax_error(p, &p->tok);
		return InvalidOid;
	}
	w = first.str;

	if (strcmp(w, "bool") == 0 || strcmp(w, "boolean") == 0)
		typid = BOOLOID;
	else if (strcmp(w, "int") == 0 || strcmp(w, "int4") == 0 ||
			 strcmp(w, "integer") == 0)
		typid = INT4OID;
	else if (strcmp(w, "int8") == 0 || strcmp(w, "bigint") == 0)
		typid = INT8OID;
	else if (strcmp(w, "numeric") == 0 || strcmp(w, "decimal") == 0)
		typid = NUMERICOID;
	else if (strcmp(w, "float8") == 0)
		typid = FLOAT8OID;
	else if (strcmp(w, "double") == 0 && first.kind == TK_IDENT &&
			 is_kw(peek(p), "precision"))
	{
		advance(p);
		typid = FLOAT8OID;
	}
	else if (strcmp(w, "text") == 0)
		typid = TEXTOID;
	else if (strcmp(w, "date") == 0)
		typid = DATEOID;
	else if (strcmp(w, "timestamptz") == 0)
		typid = TIMESTAMPTZOID;
	else if (strcmp(w, "timestamp") == 0)
	{
		/* "timestamp with time zone"; a bare timestamp is read as timestamptz */
		if (first.kind == TK_IDENT && is_kw(peek(p), "with"))
		{
			advance(p);
			advance(p);
			if (!is_kw(&p->tok, "time"))
				syntax_error(p, &p->tok);
			if (!is_kw(peek(p), "zone"))
				syntax_error(p, peek(p));
			advance(p);
		}
		typid = TIMESTAMPTZOID;
	}
	else if (strcmp(w, "interval") == 0)
		typid = INTERVALOID;

	if (!OidIsValid(typid))
	{
		if (must)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("type \"%s\" is not supported in rule expressions", w),
					 errhint("Supported types are boolean, integer, bigint, numeric, double precision, text, date, timestamptz, interval and arrays of these."),
					 olpe_errposition(p->text, first.location)));
		return InvalidOid;
	}
	advance(p);

	if (p->tok.kind == TK_LBRACKET)
	{
		advance(p);
		expect(p, TK_RBRACKET);
		typid = get_array_type(typid);
	}
	return typid;
}

/* CASE [operand] WHEN ... THEN ... [ELSE ...] END, after the CASE keyword */
static OlpeAst *
parse_case(Parser *p, int location)
{
	OlpeAst    *n = make_node(OAST_CASE, location, location);

	if (!is_kw(&p->tok, "when"))
	{
		n->arg = parse_or(p);
		note_child(p, n, n->arg);
	}
	if (!is_kw(&p->tok, "when"))
		syntax_error(p, &p->tok);
	while (is_kw(&p->tok, "when"))
	{
		advance(p);
		add_arg(p, n, parse_or(p));
		expect_kw(p, "then");
		add_arg(p, n, parse_or(p));
	}
	if (is_kw(&p->tok, "else"))
	{
		advance(p);
		n->defresult = parse_or(p);
		note_child(p, n, n->defresult);
	}
	n->end = p->tok.end;
	expect_kw(p, "end");
	return n;
}

/* Comma-separated expressions up to the closing token, which is consumed. */
static void
parse_list(Parser *p, OlpeAst *n, TokenKind close)
{
	if (p->tok.kind == close)
	{
		n->end = p->tok.end;
		advance(p);
		return;
	}
	for (;;)
	{
		add_arg(p, n, parse_or(p));
		if (p->tok.kind == TK_COMMA)
		{
			advance(p);
			continue;
		}
		n->end = p->tok.end;
		expect(p, close);
		break;
	}
}

static OlpeAst *
parse_primary(Parser *p)
{
	Token		tok = p->tok;
	OlpeAst    *n;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	switch (tok.kind)
	{
		case TK_INTEGER:
		case TK_DECIMAL:
		case TK_STRING:
			n = make_node(OAST_CONST, tok.location, tok.end);
			n->constkind = tok.kind == TK_INTEGER ? OCONST_INTEGER :
				tok.kind == TK_DECIMAL ? OCONST_DECIMAL : OCONST_STRING;
			n->text = tok.str;
			advance(p);
			return n;

		case TK_PARAM:
			n = make_node(OAST_PARAM, tok.location, tok.end);
			n->name = tok.str;
			advance(p);
			return n;

		case TK_LPAREN:
			{
				OlpeAst    *inner;

				advance(p);
				inner = parse_or(p);
				if (p->tok.kind == TK_COMMA)
				{
					/* ('a', 'b'): a list, for IN and contains_any_word */
					n = make_node(OAST_ARRAY, tok.location, tok.end);
					n->is_list = true;
					add_arg(p, n, inner);
					advance(p);
					parse_list(p, n, TK_RPAREN);
					return n;
				}
				inner->location = tok.location;
				inner->end = p->tok.end;
				expect(p, TK_RPAREN);
				return inner;
			}

		case TK_QIDENT:
		case TK_IDENT:
			break;

		default:
			syntax_error(p, &p->tok);
	}

	/* keywords that start an expression */
	if (tok.kind == TK_IDENT)
	{
		if (strcmp(tok.str, "true") == 0 || strcmp(tok.str, "false") == 0)
		{
			n = make_node(OAST_CONST, tok.location, tok.end);
			n->constkind = OCONST_BOOL;
			n->boolval = tok.str[0] == 't';
			advance(p);
			return n;
		}
		if (strcmp(tok.str, "null") == 0)
		{
			n = make_node(OAST_CONST, tok.location, tok.end);
			n->constkind = OCONST_NULL;
			advance(p);
			return n;
		}
		if (strcmp(tok.str, "case") == 0)
		{
			advance(p);
			return parse_case(p, tok.location);
		}
		if (strcmp(tok.str, "array") == 0)
		{
			advance(p);
			n = make_node(OAST_ARRAY, tok.location, tok.end);
			expect(p, TK_LBRACKET);

			/* SQL's sub-array form ARRAY[[1, 2], [3, 4]] */
			if (p->tok.kind == TK_LBRACKET)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("multidimensional arrays are not supported in rule expressions"),
						 errhint("Use a one-dimensional array, such as ARRAY[1, 2]."),
						 olpe_errposition(p->text, p->tok.location)));
			parse_list(p, n, TK_RBRACKET);
			return n;
		}
		if (strcmp(tok.str, "current_date") == 0)
		{
			n = make_node(OAST_FUNC, tok.location, tok.end);
			n->name = "current_date";
			advance(p);
			return n;
		}
		if (strcmp(tok.str, "extract") == 0)
		{
			OlpeAst    *field;

			advance(p);
			expect(p, TK_LPAREN);
			if (p->tok.kind != TK_IDENT && p->tok.kind != TK_STRING)
				syntax_error(p, &p->tok);
			field = make_node(OAST_CONST, p->tok.location, p->tok.end);
			field->constkind = OCONST_STRING;
			field->text = p->tok.str;
			advance(p);
			expect_kw(p, "from");
			n = make_node(OAST_FUNC, tok.location, tok.end);
			n->name = "extract";
			add_arg(p, n, field);
			add_arg(p, n, parse_or(p));
			n->end = p->tok.end;
			expect(p, TK_RPAREN);
			return n;
		}

		/* typed literal: date '2025-01-01', interval '30 days' ... */
		if (peek(p)->kind == TK_STRING ||
			(is_kw(peek(p), "precision") || is_kw(peek(p), "with")))
		{
			int			save_pos = p->pos;
			Token		save_tok = p->tok,
						save_next = p->next;
			bool		save_have = p->have_next;
			Oid			typid = parse_typename(p, false);

			if (OidIsValid(typid) && p->tok.kind == TK_STRING)
			{
				n = make_node(OAST_CONST, tok.location, p->tok.end);
				n->constkind = OCONST_TYPED;
				n->typid = typid;
				n->text = p->tok.str;
				advance(p);
				return n;
			}
			/* not a typed literal after all: rewind */
			p->pos = save_pos;
			p->tok = save_tok;
			p->next = save_next;
			p->have_next = save_have;
		}

		/* function call */
		if (peek(p)->kind == TK_LPAREN && !is_reserved(tok.str))
		{
			advance(p);
			advance(p);
			n = make_node(OAST_FUNC, tok.location, tok.end);
			n->name = tok.str;
			parse_list(p, n, TK_RPAREN);
			return n;
		}

		if (is_reserved(tok.str))
			syntax_error(p, &p->tok);
	}

	/* a reference: name, or name.key.key for a path into jsonb */
	n = make_node(OAST_REF, tok.location, tok.end);
	n->path = list_make1(tok.str);
	advance(p);
	while (p->tok.kind == TK_DOT)
	{
		advance(p);
		if (p->tok.kind != TK_IDENT && p->tok.kind != TK_QIDENT)
			syntax_error(p, &p->tok);
		n->path = lappend(n->path, p->tok.str);
		n->end = p->tok.end;
		advance(p);
	}
	return n;
}

/* primary [:: type]... */
static OlpeAst *
parse_cast(Parser *p)
{
	OlpeAst    *n = parse_primary(p);

	while (p->tok.kind == TK_TYPECAST)
	{
		OlpeAst    *cast;
		Oid			typid;

		advance(p);
		typid = parse_typename(p, true);
		cast = make_node(OAST_CAST, n->location, n->end);
		cast->typid = typid;
		add_arg(p, cast, n);
		cast->end = p->pos;
		/* the span ends at the type name just read */
		while (cast->end > 0 && scanner_isspace(p->text[cast->end - 1]))
			cast->end--;
		if (p->tok.kind != TK_EOF)
			cast->end = Min(cast->end, p->tok.location);
		n = cast;
	}
	return n;
}

/*
 * Count one level of recursion of the parser itself. Parentheses and signs
 * nest the parser without always nesting the tree (a sign folds into a
 * number), so the depth limit is applied here too, before the stack runs out.
 */
static void
enter_nesting(Parser *p)
{
	check_stack_depth();
	if (++p->nesting > olpe_max_expression_depth)
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("rule expression is nested more than %d levels deep",
						olpe_max_expression_depth),
				 errhint("Simplify the expression, or raise \"olpe.max_expression_depth\"."),
				 olpe_errposition(p->text, p->tok.location)));
}

static OlpeAst *
parse_unary(Parser *p)
{
	if (is_op(&p->tok, "-") || is_op(&p->tok, "+"))
	{
		Token		tok = p->tok;
		OlpeAst    *arg;

		enter_nesting(p);
		advance(p);
		arg = parse_unary(p);
		p->nesting--;

		/*
		 * As PostgreSQL's grammar does, fold a minus sign into a numeric
		 * literal, so that -2147483648 is an integer.
		 */
		if (tok.str[0] == '-' && arg->kind == OAST_CONST &&
			(arg->constkind == OCONST_INTEGER || arg->constkind == OCONST_DECIMAL))
		{
			if (arg->text[0] == '-')
				arg->text = arg->text + 1;
			else
				arg->text = psprintf("-%s", arg->text);
			arg->location = tok.location;
			return arg;
		}
		{
			OlpeAst    *n = make_node(OAST_OP, tok.location, tok.end);

			n->name = tok.str;
			add_arg(p, n, arg);
			return n;
		}
	}
	return parse_cast(p);
}

/* a ^ b, left-associative as in PostgreSQL */
static OlpeAst *
parse_pow(Parser *p)
{
	OlpeAst    *n = parse_unary(p);

	while (is_op(&p->tok, "^"))
	{
		advance(p);
		n = make_binary(p, OAST_OP, "^", n, parse_unary(p));
	}
	return n;
}

static OlpeAst *
parse_mul(Parser *p)
{
	OlpeAst    *n = parse_pow(p);

	while (is_op(&p->tok, "*") || is_op(&p->tok, "/") || is_op(&p->tok, "%"))
	{
		char	   *op = p->tok.str;

		advance(p);
		n = make_binary(p, OAST_OP, op, n, parse_pow(p));
	}
	return n;
}

static OlpeAst *
parse_add(Parser *p)
{
	OlpeAst    *n = parse_mul(p);

	while (is_op(&p->tok, "+") || is_op(&p->tok, "-"))
	{
		char	   *op = p->tok.str;

		advance(p);
		n = make_binary(p, OAST_OP, op, n, parse_mul(p));
	}
	return n;
}

static bool
is_comparison(const Token *tok)
{
	static const char *const ops[] = {"<", ">", "=", "<=", ">=", "<>", NULL};

	if (tok->kind != TK_OP)
		return false;
	for (int i = 0; ops[i]; i++)
		if (strcmp(tok->str, ops[i]) == 0)
			return true;
	return false;
}

/*
 * Operators at PostgreSQL's "any other operator" level: every operator that
 * is not arithmetic or comparison, and the contains_any_word keyword.
 */
static OlpeAst *
parse_other(Parser *p)
{
	OlpeAst    *n = parse_add(p);

	for (;;)
	{
		if (is_kw(&p->tok, "contains_any_word"))
		{
			advance(p);
			n = make_binary(p, OAST_WORDS, "contains_any_word", n, parse_add(p));
		}
		else if (p->tok.kind == TK_OP && !is_comparison(&p->tok) &&
				 !is_op(&p->tok, "+") && !is_op(&p->tok, "-") &&
				 !is_op(&p->tok, "*") && !is_op(&p->tok, "/") &&
				 !is_op(&p->tok, "%") && !is_op(&p->tok, "^"))
		{
			char	   *op = p->tok.str;

			advance(p);
			n = make_binary(p, OAST_OP, op, n, parse_add(p));
		}
		else
			break;
	}
	return n;
}

/* [NOT] BETWEEN / IN / LIKE / ILIKE, non-associative */
static OlpeAst *
parse_predicate(Parser *p)
{
	OlpeAst    *n = parse_other(p);
	bool		negated = false;
	Token		optok = p->tok;

	if (is_kw(&p->tok, "not") &&
		(is_kw(peek(p), "between") || is_kw(peek(p), "in") ||
		 is_kw(peek(p), "like") || is_kw(peek(p), "ilike")))
	{
		negated = true;
		advance(p);
	}

	if (is_kw(&p->tok, "between"))
	{
		OlpeAst    *b = make_node(OAST_BETWEEN, n->location, n->end);

		advance(p);
		b->negated = negated;
		add_arg(p, b, n);
		add_arg(p, b, parse_other(p));
		expect_kw(p, "and");
		add_arg(p, b, parse_other(p));
		n = b;
	}
	else if (is_kw(&p->tok, "in"))
	{
		OlpeAst    *in = make_node(OAST_IN, n->location, n->end);

		advance(p);
		in->negated = negated;
		add_arg(p, in, n);
		if (p->tok.kind == TK_PARAM)
		{
			in->arg = parse_primary(p);
			note_child(p, in, in->arg);
		}
		else
		{
			expect(p, TK_LPAREN);
			if (p->tok.kind == TK_RPAREN)
				syntax_error(p, &p->tok);	/* x IN () */
			parse_list(p, in, TK_RPAREN);
		}
		n = in;
	}
	else if (is_kw(&p->tok, "like") || is_kw(&p->tok, "ilike"))
	{
		bool		ilike = is_kw(&p->tok, "ilike");
		const char *op;

		advance(p);
		if (ilike)
			op = negated ? "!~~*" : "~~*";
		else
			op = negated ? "!~~" : "~~";
		n = make_binary(p, OAST_OP, op, n, parse_other(p));
	}
	else if (negated)
		syntax_error(p, &optok);
	else
		return n;

	if (is_kw(&p->tok, "between") || is_kw(&p->tok, "in") ||
		is_kw(&p->tok, "like") || is_kw(&p->tok, "ilike"))
		syntax_error(p, &p->tok);
	return n;
}

/* comparison, non-associative as in PostgreSQL */
static OlpeAst *
parse_comparison(Parser *p)
{
	OlpeAst    *n = parse_predicate(p);

	if (is_comparison(&p->tok))
	{
		char	   *op = p->tok.str;

		advance(p);
		n = make_binary(p, OAST_OP, op, n, parse_predicate(p));
		if (is_comparison(&p->tok))
			syntax_error(p, &p->tok);
	}
	return n;
}

static OlpeAst *
parse_is(Parser *p)
{
	OlpeAst    *n = parse_comparison(p);

	while (is_kw(&p->tok, "is"))
	{
		OlpeAst    *is = make_node(OAST_IS, n->location, n->end);

		advance(p);
		if (is_kw(&p->tok, "not"))
		{
			is->negated = true;
			advance(p);
		}
		if (is_kw(&p->tok, "null"))
			is->istest = OIS_NULL;
		else if (is_kw(&p->tok, "true"))
			is->istest = OIS_TRUE;
		else if (is_kw(&p->tok, "false"))
			is->istest = OIS_FALSE;
		else if (is_kw(&p->tok, "unknown"))
			is->istest = OIS_UNKNOWN;
		else
			syntax_error(p, &p->tok);
		is->end = p->tok.end;
		advance(p);
		add_arg(p, is, n);
		n = is;
	}
	return n;
}

static OlpeAst *
parse_not(Parser *p)
{
	if (is_kw(&p->tok, "not"))
	{
		Token		tok = p->tok;
		OlpeAst    *n = make_node(OAST_NOT, tok.location, tok.end);

		check_stack_depth();
		advance(p);
		add_arg(p, n, parse_not(p));
		return n;
	}
	return parse_is(p);
}

static OlpeAst *
parse_and(Parser *p)
{
	OlpeAst    *n = parse_not(p);

	if (is_kw(&p->tok, "and"))
	{
		OlpeAst    *and = make_node(OAST_AND, n->location, n->end);

		add_arg(p, and, n);
		while (is_kw(&p->tok, "and"))
		{
			advance(p);
			add_arg(p, and, parse_not(p));
		}
		n = and;
	}
	return n;
}

static OlpeAst *
parse_or(Parser *p)
{
	OlpeAst    *n;

	enter_nesting(p);
	n = parse_and(p);

	if (is_kw(&p->tok, "or"))
	{
		OlpeAst    *or = make_node(OAST_OR, n->location, n->end);

		add_arg(p, or, n);
		while (is_kw(&p->tok, "or"))
		{
			advance(p);
			add_arg(p, or, parse_and(p));
		}
		n = or;
	}
	p->nesting--;
	return n;
}

/*
 * olpe_parse
 *		Parse a rule expression into a syntax tree.
 *
 * Raises 42601 for text that does not parse, 54000 for text longer than
 * olpe.max_expression_length and 54001 for nesting deeper than
 * olpe.max_expression_depth.
 */
OlpeAst *
olpe_parse(const char *text)
{
	Parser		p;
	OlpeAst    *ast;
	int			len = strlen(text);

	if (len > olpe_max_expression_length)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rule expression is too long"),
				 errdetail("The expression has %d bytes; the limit is %d.",
						   len, olpe_max_expression_length),
				 errhint("Split the rule, or raise \"olpe.max_expression_length\".")));

	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	advance(&p);
	if (p.tok.kind == TK_EOF)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("rule expression is empty")));
	ast = parse_or(&p);
	if (p.tok.kind != TK_EOF)
		syntax_error(&p, &p.tok);
	return ast;
}

/* The source text of a node, for explain output and messages. */
char *
olpe_ast_source(const char *text, const OlpeAst *ast)
{
	return pnstrdup(text + ast->location, ast->end - ast->location);
}
