"""mkdocs hook: fills the Tensor reference page with a table of the
compiled methods' docstrings, which mkdocstrings does not list."""

import inspect
import re

_MARK = "<!-- tensor-members -->"


def summary(name, obj):
    """The first line of obj's docstring that is not a pybind11 signature."""
    # Drop pybind11's signature lines ("name(self: ...) -> ...", overloads).
    lines = [line.strip() for line in (inspect.getdoc(obj) or "").splitlines()]
    signature = re.compile(r"^(\d+\. )?" + re.escape(name) + r"\(|^Overloaded function\.$")
    text = [line for line in lines if line and not signature.match(line)]
    return text[0] if text else ""


def on_page_markdown(markdown, page, **kwargs):
    if _MARK not in markdown:
        return markdown
    import autograd_cpp

    rows = ["| Member | Description |", "|---|---|"]
    for name in sorted(dir(autograd_cpp.Tensor)):
        if name.startswith("_"):
            continue
        doc = summary(name, getattr(autograd_cpp.Tensor, name)).replace("|", "\\|")
        rows.append(f"| `{name}` | {doc} |")
    return markdown.replace(_MARK, "\n".join(rows))
