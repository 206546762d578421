"""Stage 2, checking: every problem of the inputs at once (file:line, what is wrong, the nearest valid
value), scoped on a rebuild to what changed."""
