"""Client side of the sync protocol: HTTP calls (``client``) and offline transfer files (``transfer``). No Qt."""

from fieldapp.sync.client import MAX_BATCH_RECORDS, EnrolledDigests, SyncClient, make_batch
from fieldapp.sync.errors import SyncError
from fieldapp.sync.transfer import (
    BatchFile,
    TransferError,
    TransferKey,
    read_batch_file,
    read_receipt_file,
    write_batch_file,
    write_receipt_file,
)

__all__ = [
    "MAX_BATCH_RECORDS", "BatchFile", "EnrolledDigests", "SyncClient", "SyncError", "TransferError", "TransferKey",
    "make_batch", "read_batch_file", "read_receipt_file", "write_batch_file", "write_receipt_file",
]
