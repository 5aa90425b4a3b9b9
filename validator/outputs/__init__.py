"""Output formats: each module is a pure function of a run's :class:`~validator.run.Result`."""
