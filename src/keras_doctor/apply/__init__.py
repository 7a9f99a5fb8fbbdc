"""Carry out a plan as a transaction that can always be undone, even after a crash.

`apply_plan` snapshots, journals and runs; `rollback` / `resume` finish an interrupted journal;
`pending_transactions` lets any command warn that one is waiting. Imports stay lazy: `check` calls
`pending_transactions` on every run and must not pay for the engine.
"""

from __future__ import annotations

from keras_doctor.apply.store import PendingTransaction, data_dir, pending_transactions

__all__ = ["PendingTransaction", "data_dir", "pending_transactions"]
