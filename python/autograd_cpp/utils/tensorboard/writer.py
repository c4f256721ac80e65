"""``SummaryWriter``: scalar logs in TensorBoard's event-file format, as
``torch.utils.tensorboard`` writes them, for programs that log their losses."""

from __future__ import annotations

import itertools
import os
import socket
import time
from datetime import datetime
from types import TracebackType
from typing import Any, BinaryIO

from . import _record

_uid = itertools.count()


def _as_float(value: Any) -> float:
    """A Python number, or a one-element tensor or array, as a float."""
    import numpy as np  # on first use: importing the package stays numpy-free

    if hasattr(value, "detach"):
        value = value.detach().numpy()
    array = np.asarray(value)
    if array.size != 1:
        raise AssertionError("scalar should be 0D")
    return float(array.reshape(()))


class FileWriter:
    """Appends events to one event file in log_dir (created on demand)."""

    def __init__(self, log_dir: str, filename_suffix: str = "") -> None:
        os.makedirs(log_dir, exist_ok=True)
        name = (
            f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
            f"{os.getpid()}.{next(_uid)}{filename_suffix}"
        )
        self.path = os.path.join(log_dir, name)
        self._file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._log_dir = log_dir
        self.add_event(_record.event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self) -> str:
        return self._log_dir

    def add_event(self, payload: bytes) -> None:
        if self._file is None:
            raise RuntimeError("the event file is closed")
        self._file.write(_record.record(payload))

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class SummaryWriter:
    """Writes scalars to an event file under ``log_dir`` (default
    ``runs/<date>_<host><comment>``) that TensorBoard reads."""

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: FileWriter | None = FileWriter(log_dir, filename_suffix)
        self.all_writers: dict[str, FileWriter] = {log_dir: self.file_writer}

    def _get_file_writer(self) -> FileWriter:
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.filename_suffix)
            self.all_writers = {self.log_dir: self.file_writer}
        return self.file_writer

    def get_logdir(self) -> str:
        return self.log_dir

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Logs one number (a Python number or a one-element tensor) at global_step."""
        value = _record.summary_value(tag, _as_float(scalar_value))
        self._get_file_writer().add_event(
            _record.event(
                time.time() if walltime is None else walltime,
                int(global_step or 0),
                values=[value],
            )
        )

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Logs several numbers under main_tag; each goes to its own run
        folder ``log_dir/main_tag_tag``, as TensorBoard groups them."""
        wall = time.time() if walltime is None else walltime
        for tag, scalar in tag_scalar_dict.items():
            folder = os.path.join(
                self._get_file_writer().get_logdir(), f"{main_tag.replace('/', '_')}_{tag}"
            )
            writer = self.all_writers.get(folder)
            if writer is None:
                writer = FileWriter(folder, self.filename_suffix)
                self.all_writers[folder] = writer
            value = _record.summary_value(main_tag, _as_float(scalar))
            writer.add_event(_record.event(wall, int(global_step or 0), values=[value]))

    def flush(self) -> None:
        """Writes what is buffered to disk."""
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flushes and closes every event file; a later add_* opens a new one."""
        for writer in self.all_writers.values():
            writer.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
