"""Benchmarks: each module of this folder is one, run with ``python -m bench.<name>`` and printing
its own figures; ``python -m bench`` (``make bench``) runs them all."""
