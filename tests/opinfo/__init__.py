"""Rows of the op table, one module per op family (see op_db.py)."""
