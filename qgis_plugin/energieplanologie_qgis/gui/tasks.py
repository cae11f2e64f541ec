"""Long work off the GUI thread: engine calls and Processing algorithms as ``QgsTask``s.

The dock and the engine settings never run the engine on the GUI thread. :class:`EngineTask` runs one engine
call (progress lines → the task's progress, cancel → the engine process is stopped); :func:`algorithm_task`
wraps one of the plugin's Processing algorithms in QGIS's own ``QgsProcessingAlgRunnerTask``.

Keep a Python reference to a task until it has finished: QGIS's task manager owns the C++ object, but a
Python subclass whose wrapper is garbage-collected loses its ``run``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qgis.core import (
    QgsApplication,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsTask,
)

from ..engine import Engine, EngineCanceled, EngineError, EngineResult
from ..engine_warm import run_engine_warm

__all__ = ["EngineTask", "TaskFeedback", "algorithm_task"]


class _TaskFeedback:
    """The part of a Processing feedback :func:`run_engine` uses, reporting to a task."""

    def __init__(self, task: EngineTask) -> None:
        self.task = task

    def isCanceled(self) -> bool:
        return self.task.isCanceled()

    def setProgress(self, progress: float) -> None:
        self.task.setProgress(progress)

    def setProgressText(self, text: str) -> None:
        self.task.stage = text

    def pushConsoleInfo(self, info: str) -> None:
        self.task.messages.append(info)


class EngineTask(QgsTask):
    """One engine call in the background; ``on_done(task)`` runs on the GUI thread when it ends.

    After the task: ``result`` (an :class:`EngineResult`) on success, else ``error`` (Dutch text); ``canceled``
    when the user stopped it.

    Examples
    --------
    >>> task = EngineTask("Overzichten", engine, ["overview", "--out", "/tmp/uit"], on_done=print)  # doctest: +SKIP
    >>> QgsApplication.taskManager().addTask(task)  # doctest: +SKIP
    """

    def __init__(self, description: str, engine: Engine, args: Sequence[str],
                 on_done: Callable[[EngineTask], Any] | None = None, *, ok_codes: Sequence[int] = (0,)) -> None:
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.engine = engine
        self.args = [str(a) for a in args]
        self.on_done = on_done
        self.ok_codes = tuple(ok_codes)
        self.result: EngineResult | None = None
        self.error = ""
        self.canceled = False
        self.stage = ""
        self.messages: list[str] = []

    def run(self) -> bool:
        try:
            self.result = run_engine_warm(self.engine, self.args, _TaskFeedback(self), ok_codes=self.ok_codes)
        except EngineCanceled as exc:
            self.canceled, self.error = True, str(exc)
            return False
        except EngineError as exc:
            self.error = str(exc)
            return False
        return True

    def finished(self, result: bool) -> None:
        if not result and not self.error:
            self.canceled = self.isCanceled()
            self.error = "Afgebroken." if self.canceled else "De taak is mislukt."
        if self.on_done is not None:
            self.on_done(self)


class TaskFeedback(QgsProcessingFeedback):
    """Processing feedback that keeps the errors reported, to show the user why a task failed."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def reportError(self, error: str, fatalError: bool = False) -> None:
        self.errors.append(error)
        super().reportError(error, fatalError)


def algorithm_task(algorithm_id: str, parameters: dict[str, Any], *, project: QgsProject | None = None,
                   on_done: Callable[[bool, dict[str, Any]], Any] | None = None,
                   on_progress: Callable[[float], Any] | None = None) -> tuple[QgsTask, dict[str, Any]]:
    """One of the plugin's Processing algorithms as a task (``QgsProcessingAlgRunnerTask``), not yet started.

    Returns the task and a dict holding the algorithm, context and feedback: keep it referenced until the task
    has finished. ``on_done(successful, results)`` runs on the GUI thread. Raises :class:`EngineError` at once,
    without a task, when the algorithm cannot run (no engine: the reason and *Engine installeren*).
    """
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    if algorithm is None:
        raise EngineError(f"Algoritme {algorithm_id} is niet geladen (is de plugin Energieplanologie actief?).")
    context = QgsProcessingContext()
    context.setProject(project or QgsProject.instance())
    ok, message = algorithm.checkParameterValues(parameters, context)
    if not ok:
        raise EngineError(message)
    feedback = TaskFeedback()
    if on_progress is not None:
        feedback.progressChanged.connect(on_progress)
    task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
    if on_done is not None:
        task.executed.connect(on_done)
    return task, {"algorithm": algorithm, "context": context, "feedback": feedback, "task": task}
