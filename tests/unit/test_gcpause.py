"""The collector paused while a class is read, and given back whole when the run ends."""

from __future__ import annotations

import gc

import pytest

from grader.core.gcpause import gc_paused, run_scope


@pytest.fixture(autouse=True)
def collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_paused_inside_and_enabled_after() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # reentrant: the inner block does not switch it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_enabled_again_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_what_was_frozen_is_unfrozen_when_the_run_ends() -> None:
    gc.unfreeze()
    with run_scope():
        with gc_paused(freeze=True):
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_in_a_run_is_collected_after_it() -> None:
    """A cycle that became garbage while frozen would leak for good without run_scope."""
    import weakref

    class Node:
        pass

    with run_scope():
        with gc_paused(freeze=True):
            a, b = Node(), Node()
            a.other, b.other = b, a
            probe = weakref.ref(a)
        del a, b
        gc.collect()
        assert probe() is not None  # frozen: the collector does not look at it
    gc.collect()
    assert probe() is None
