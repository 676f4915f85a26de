"""The generator protocol: declared arguments, load-time checks, `=expression` arguments.

A generator class declares its arguments in `ARGS` (name -> `Arg`). The base constructor
rejects unknown and missing arguments, type-checks the literal ones, compiles the `=...`
ones, and runs the class's relation checks (`check`) on whatever is already known. At draw
time the expressions are evaluated over the earlier parameters and the same checks run again
on the concrete values, so an argument is validated by one piece of code whichever way it
was given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

from grader.core import schema as S
from grader.core.values import to_plain

REQUIRED: Any = object()  # sentinel default: the argument must be given


class GeneratorArgError(ValueError):
    """A generator argument is wrong; `.arg` names it ("" when the generator itself is)."""

    def __init__(self, arg: str, message: str):
        super().__init__(message)
        self.arg = arg
        self.message = message


class Unknown:
    """Stands in for an `=expression` argument before draw time."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = Unknown()


def known(values: Mapping[str, Any], *names: str) -> bool:
    """True when every named argument has a concrete value (not an expression still)."""
    return all(values[n] is not UNKNOWN for n in names)


@dataclass(frozen=True)
class Arg:
    """One declared argument: a checker returning the normalised value, and a default."""

    check: Callable[[str, Any], Any]
    default: Any = REQUIRED
    dynamic: bool = True  # may be given as an "=expression"
    description: str = ""  # for editors (the published JSON Schema)


GENERATORS: dict[str, type[Generator]] = {}
G = TypeVar("G", bound="type[Generator]")


def register(name: str) -> Callable[[G], G]:
    """Class decorator adding a generator to GENERATORS under `name`; refuses duplicates."""

    def add(cls: G) -> G:
        if name in GENERATORS:
            raise ValueError(f"generator {name!r} is already registered "
                             f"(by {GENERATORS[name].__module__}.{GENERATORS[name].__name__})")
        cls.name = name
        GENERATORS[name] = cls
        return cls

    return add


def _expected(cls: type[Generator]) -> str:
    return ", ".join(cls.ARGS) or "no arguments"


class Generator:
    """A random parameter: constructed from spec arguments, then `draw(rng, env)` per variant."""

    name: ClassVar[str] = "?"
    ARGS: ClassVar[dict[str, Arg]] = {}

    def __init__(self, **args: Any):
        self._exprs: dict[str, Any] = {}
        self._given: dict[str, Any] = {}
        for key in args:
            if key not in self.ARGS:
                hint = S.suggest(key, self.ARGS)
                raise GeneratorArgError(key, f"unknown argument '{key}' for {self.name}{hint} "
                                             f"(expected: {_expected(type(self))})")
        values: dict[str, Any] = {}
        for key, spec in self.ARGS.items():
            values[key] = self._load(key, spec, args)
        self._values = values
        self.check(values)

    def _load(self, key: str, spec: Arg, args: Mapping[str, Any]) -> Any:
        if key not in args:
            if spec.default is REQUIRED:
                raise GeneratorArgError(key, f"missing argument '{key}' for {self.name} "
                                             f"(expected: {_expected(type(self))})")
            return spec.default
        raw = args[key]
        self._given[key] = raw
        if spec.dynamic and isinstance(raw, str) and raw.startswith("="):
            self._exprs[key] = compile_arg(key, raw[1:])
            return UNKNOWN
        return spec.check(key, raw)

    @classmethod
    def declaration(cls) -> S.Record:
        """The arguments in the schema vocabulary: types, required ones, defaults, descriptions.

        An argument that may be an "=expression" is declared as its type or such a string.
        """
        fields = {}
        for key, arg in cls.ARGS.items():
            declared = getattr(arg.check, "schema", S.Custom(schema={}))
            kind = S.AnyOf((declared, S.Ref("dynamic"))) if arg.dynamic else declared
            fields[key] = S.Field(kind, required=arg.default is REQUIRED,
                                  default=S.MISSING if arg.default is REQUIRED else arg.default,
                                  description=arg.description)
        return S.Record(fields)

    @property
    def names(self) -> frozenset[str]:
        """Free names of the `=expression` arguments: parameters that must be drawn before."""
        return frozenset().union(*(e.names for e in self._exprs.values()))

    def check(self, values: Mapping[str, Any]) -> None:
        """Check relations between arguments; skip those involving UNKNOWN values."""

    def draw(self, rng: np.random.Generator, env: Mapping[str, Any], *,
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        """Draw one value (plain data) using only `rng`; `env` holds the earlier parameters."""
        values = dict(self._values)
        for key, expr in self._exprs.items():
            values[key] = self._evaluate(key, expr, env, functions)
        if self._exprs:  # literal arguments were checked at construction
            try:
                self.check(values)
            except GeneratorArgError as exc:
                raise ValueError(f"{self.name}: {exc.message} ({self._explain(values)})") \
                    from None
        return to_plain(self.sample(rng, values))

    def _evaluate(self, key: str, expr: Any, env: Mapping[str, Any],
                  functions: Mapping[str, Callable[..., Any]] | None) -> Any:
        text = self._given[key]
        try:
            value = to_plain(expr.evaluate(env, functions))
        except Exception as exc:  # any failure of the user's expression is the user's error
            raise ValueError(f"{self.name}: {key}: {text!r} could not be evaluated: {exc}") \
                from exc
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # "=n/2" gives 2.0; an integer argument should accept it
        try:
            return self.ARGS[key].check(key, value)
        except GeneratorArgError as exc:
            raise ValueError(f"{self.name}: {exc.message} (from {key}: {text!r})") from None

    def _explain(self, values: Mapping[str, Any]) -> str:
        return "; ".join(f"{k}: {self._given[k]!r} gave {show(values[k])}" for k in self._exprs)

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        """Draw from concrete, checked argument values (subclasses implement)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"{type(self).__name__}({args})"


def compile_arg(key: str, text: str) -> Any:
    """Compile an expression argument; a syntax error is a GeneratorArgError naming `key`."""
    from grader.core.expr import ExprError, compile_expr

    try:
        return compile_expr(text)
    except ExprError as exc:
        raise GeneratorArgError(key, f"{key}: invalid expression {text!r}: {exc.message}") \
            from None


def build_generator(name: str, args: Mapping[str, Any] | None) -> Generator:
    """Construct the generator `name` from spec arguments; GeneratorArgError when they are wrong."""
    if name not in GENERATORS:
        hint = S.suggest(str(name), GENERATORS)
        raise GeneratorArgError("", f"unknown generator {show(name)}{hint} "
                                    f"(known: {', '.join(sorted(GENERATORS))})")
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise GeneratorArgError("", f"arguments of {name} must be a mapping, got {show(args)}")
    bad = [k for k in args if not isinstance(k, str)]
    if bad:
        raise GeneratorArgError("", f"argument names of {name} must be strings, got {show(bad[0])}")
    return GENERATORS[name](**args)


def show(value: Any) -> str:
    """A value as the spec author wrote it in YAML: true/false/null, quoted strings."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)
