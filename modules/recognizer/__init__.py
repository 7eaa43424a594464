"""Scene-text recognizer: DTRB's four-stage model family, training pieces and the ``Recognizer`` API."""

from modules.recognizer.recognize import Recognizer

__all__ = ["Recognizer"]
