"""The store (adapter): the `Store` protocol and codec; one sub-package per backend (`tinydb/`)."""
