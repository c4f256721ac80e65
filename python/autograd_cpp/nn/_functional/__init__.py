"""Families of nn.functional composed from the library's differentiable ops;
``nn.functional`` re-exports them."""
