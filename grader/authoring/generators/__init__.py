"""Parameter generators: named random draws for exercise parameters.

`build_generator(name, args)` constructs one from a spec's arguments (checking them, with
`GeneratorArgError` naming the bad argument); `gen.draw(rng, env)` draws plain data using only
`rng`. `GENERATORS` is the registry; `@register("name")` adds a class to it.
"""

# importing the modules fills the registry
from grader.authoring.generators import basic, factored, matrices, points, probability  # noqa: F401
from grader.authoring.generators.base import (
    GENERATORS,
    Arg,
    Generator,
    GeneratorArgError,
    build_generator,
    register,
)

__all__ = ["GENERATORS", "Arg", "Generator", "GeneratorArgError", "build_generator", "register"]
