"""Scheduling through PTB's JobQueue. (Being written: the due tick, instant pushes, the sender.)"""
from __future__ import annotations


def install_schedules(application, services) -> None:
    """Register the periodic jobs on `application.job_queue` (filled in by the delivery work)."""
