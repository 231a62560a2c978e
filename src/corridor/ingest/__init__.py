"""Reports in: ACLED exports (``acled``) and articles (``news``) become candidate events in a
review file (``review``), which ``accept`` writes into a scenario file."""
