"""corridor.analysis: the algorithms, pure functions of a situation.

Nothing here is cached at module level: what is built once per network, origin and exits lives in
a :class:`corridor.analysis.prepared.Prepared` that callers hold and pass.
"""
