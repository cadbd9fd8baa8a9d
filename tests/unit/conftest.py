"""The unit suites: pure rules, and logic run against the in-memory fakes in ``fakes``."""
