"""TensorBoard logging: ``SummaryWriter`` writes scalar summaries to event
files TensorBoard reads (no TensorFlow or protobuf needed)."""

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
