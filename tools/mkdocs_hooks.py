"""mkdocs hooks (mkdocs.yml `hooks:`).

The API pages document the imported package, whose compiled module exposes
long chains of aliases; resolving them recurses deeper than Python's default
limit of 1,000 frames, so the build raises it."""

import sys

sys.setrecursionlimit(20000)
