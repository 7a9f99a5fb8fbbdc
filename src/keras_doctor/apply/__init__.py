"""Carry out a plan as a transaction that can always be undone, even after a crash.

`apply_plan` snapshots, journals and runs; `rollback` / `resume` finish an interrupted journal;
`pending_transactions` lets any command warn that one is waiting. Every command asks that, so this
package imports its machinery only on first use (`location.may_have_pending` answers the common
"nothing pending" with a stat).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PendingTransaction", "data_dir", "pending_transactions"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from keras_doctor.apply import store

        return getattr(store, name)
    raise AttributeError(f"module 'keras_doctor.apply' has no attribute {name!r}")
