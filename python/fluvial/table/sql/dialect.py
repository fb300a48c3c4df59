"""Flink SQL on sqlglot: a dialect that adds what Flink has and sqlglot's
default dialect lacks — WATERMARK FOR in CREATE TABLE, `TABLE t` arguments of
window table functions, plural interval units (INTERVAL '5' MINUTES), ROW<...> / ROW(...) types,
backquoted identifiers and `==` / `&&` as used in PyFlink's docs."""

from typing import Iterable, List

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError
from sqlglot.parser import Parser
from sqlglot.tokens import Token, Tokenizer, TokenType

_PLURAL_UNITS = {"SECONDS": "SECOND", "MINUTES": "MINUTE", "HOURS": "HOUR", "DAYS": "DAY",
                 "MONTHS": "MONTH", "YEARS": "YEAR", "MILLISECONDS": "MILLISECOND"}


class FlinkParser(Parser):
    CONSTRAINT_PARSERS = {
        **Parser.CONSTRAINT_PARSERS,
        "WATERMARK": lambda self: self.expression(
            exp.WatermarkColumnConstraint(
                this=self._match(TokenType.FOR) and self._parse_column(),
                expression=self._match(TokenType.ALIAS) and self._parse_disjunction(),
            )
        ),
    }
    SCHEMA_UNNAMED_CONSTRAINTS = {*Parser.SCHEMA_UNNAMED_CONSTRAINTS, "WATERMARK"}
    # Flink's TIMESTAMPDIFF(unit, t1, t2) is not sqlglot's (t1, t2, unit): a plain call.
    FUNCTIONS = {k: v for k, v in Parser.FUNCTIONS.items() if k not in ("TIMESTAMPDIFF", "TIMESTAMP_DIFF")}


class Flink(Dialect):
    """sqlglot's dialect for Flink SQL.

    Examples:
        >>> from fluvial.table.sql.dialect import Flink
        >>> select = Flink().parse("SELECT `user` FROM t WHERE a == 1 && b = 2")[0]
        >>> [c.name for c in select.expressions], type(select.args["where"].this).__name__
        (['user'], 'And')
    """

    class Tokenizer(Tokenizer):
        IDENTIFIERS = ["`"]
        QUOTES = ["'"]
        KEYWORDS = {**Tokenizer.KEYWORDS, "==": TokenType.EQ, "&&": TokenType.DAMP}

    parser_class = FlinkParser
    Parser = FlinkParser

    def parse(self, sql: str, **opts):
        return self.parser(**opts).parse(_rewrite(self.tokenize(sql)), sql)


def _rewrite(tokens: List[Token]) -> List[Token]:
    """Token-level rewrites: drop TABLE before a table-function argument, singular interval units."""
    out: List[Token] = []
    skip_close: List[int] = []  # paren depths whose closing paren is dropped (LATERAL TABLE(...))
    angle_close: List[int] = []  # paren depths whose closing paren ends a ROW(...) type: '>'
    depth = 0
    drop_next_open = False
    for index, token in enumerate(tokens):
        previous = out[-1].token_type if out else None
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if drop_next_open:
                drop_next_open = False
                skip_close.append(depth)
                continue
            if out and out[-1].token_type == TokenType.STRUCT and out[-1].text == "ROW":
                angle_close.append(depth)
                token = Token(TokenType.LT, "<", token.line, token.col, token.start, token.end, token.comments)
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if skip_close and skip_close[-1] == depth + 1:
                skip_close.pop()
                continue
            if angle_close and angle_close[-1] == depth + 1:
                angle_close.pop()
                token = Token(TokenType.GT, ">", token.line, token.col, token.start, token.end, token.comments)
        if token.text.upper() == "ROW" and following is not None and (
                following.token_type == TokenType.LT or following.token_type == TokenType.L_PAREN
                and previous in (TokenType.ALIAS, TokenType.VAR, TokenType.IDENTIFIER)):
            # ROW<a INT> and ROW(a INT) as a type (after AS in CAST, after a column or field name) are
            # sqlglot's STRUCT<a INT>; ROW(1, 'a') elsewhere stays a value.
            token = Token(TokenType.STRUCT, "ROW", token.line, token.col, token.start, token.end, token.comments)
        if (token.token_type == TokenType.TABLE and previous in (TokenType.L_PAREN, TokenType.COMMA, TokenType.FARROW)
                and following is not None and following.token_type in (TokenType.VAR, TokenType.IDENTIFIER)
                and len(out) >= 2):
            continue  # TUMBLE(TABLE t, ...) → TUMBLE(t, ...)
        if token.token_type == TokenType.TABLE and out and out[-1].text.upper() == "LATERAL":
            drop_next_open = True  # LATERAL TABLE(f(x)) → LATERAL f(x)
            continue
        if token.token_type == TokenType.VAR and token.text.upper() in _PLURAL_UNITS:
            token = Token(TokenType.VAR, _PLURAL_UNITS[token.text.upper()], token.line, token.col, token.start,
                          token.end, token.comments)
        if token.text.upper() == "SESSION" and following is not None and following.token_type == TokenType.L_PAREN:
            # SESSION(ts, gap) is Flink's session window function, not sqlglot's SESSION keyword.
            token = Token(TokenType.VAR, token.text, token.line, token.col, token.start, token.end, token.comments)
        if token.token_type == TokenType.DAMP:
            token = Token(TokenType.AND, "AND", token.line, token.col, token.start, token.end, token.comments)
        out.append(token)
    return out


def parse(sql: str, function_names: Iterable[str] = ()) -> List[exp.Expression]:
    """Parses one or more ';'-separated statements; errors name the line and column.

    'function_names' are the user's functions: a UDF named like one of sqlglot's own functions
    (split, parse, ...) is parsed as a plain call, not as that function.

    Examples:
        >>> from fluvial.table.sql.dialect import parse
        >>> [type(s).__name__ for s in parse("SELECT 1; INSERT INTO t SELECT * FROM s")]
        ['Select', 'Insert']
        >>> parse("SELECT FROM WHERE")
        Traceback (most recent call last):
        ...
        fluvial.table.sql.errors.SqlParseError: SQL parse error at line 1, column ...
    """
    try:
        dialect = Flink()
        names = {n.upper() for n in function_names}
        parser = dialect.parser()
        if names:
            parser.FUNCTIONS = {k: v for k, v in parser.FUNCTIONS.items() if k not in names}
        return [s for s in parser.parse(_rewrite(dialect.tokenize(sql)), sql) if s is not None]
    except ParseError as error:
        details = error.errors[0] if error.errors else {}
        line, column = details.get("line"), details.get("col")
        description = details.get("description") or str(error)
        context = " ".join((details.get("start_context", "") + details.get("highlight", "")).split())[-40:]
        where = f" at line {line}, column {column}" if line is not None else ""
        from fluvial.table.sql.errors import SqlParseError

        if description.startswith("Required keyword"):
            description = "the statement ends or breaks off before a clause is complete"
        near = f" near '{context}'" if context else ""
        raise SqlParseError(f"SQL parse error{where}{near}: {description}; check the statement's syntax there "
                            f"(Flink SQL)", line, column) from None


__all__ = ["Flink", "parse"]
