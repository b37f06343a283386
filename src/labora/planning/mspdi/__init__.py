"""Microsoft Project XML (MSPDI): read into dataclasses, write back, convert for the engine."""

from labora.planning.mspdi.convert import EngineInput, engine_calendar, schedulable_tasks, to_engine
from labora.planning.mspdi.model import (
    MspdiAssignment,
    MspdiCalendar,
    MspdiError,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
)
from labora.planning.mspdi.reader import read_mspdi, read_mspdi_file

__all__ = [
    "EngineInput",
    "MspdiAssignment",
    "MspdiCalendar",
    "MspdiError",
    "MspdiProject",
    "MspdiResource",
    "MspdiTask",
    "PredecessorLink",
    "engine_calendar",
    "read_mspdi",
    "read_mspdi_file",
    "schedulable_tasks",
    "to_engine",
]
