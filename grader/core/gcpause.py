"""The cyclic garbage collector paused while a class is read.

Reading a class builds tens of thousands of small objects that all stay alive for the whole run
(keys, submissions, stored results). Their allocation keeps triggering the collector, which
walks every one of them again each time although none is garbage: about a sixth of an unchanged
5,000-student regrade (bench/README.md). Reference counting still frees everything that is not
in a cycle while the collector is paused; it runs again, as before, once reading is done.

What was read is then frozen (gc.freeze: kept out of every later collection, which would
otherwise walk it all once more as it ages) until the run ends (`run_scope` unfreezes, so a
process that grades many times, like the test suite, does not keep garbage frozen for good).
A side effect that helps: forked workers do not touch those objects' pages for the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic collection inside the block (reentrant: an inner block leaves it paused);
    `freeze`: on leaving it, everything alive is moved out of the collector's way (use inside
    `run_scope`, which gives it back)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def run_scope() -> Iterator[None]:
    """One grading run: what gc_paused(freeze=True) froze inside is unfrozen at the end."""
    try:
        yield
    finally:
        gc.unfreeze()
