"""Text detector: YOLOv3 three-scale head on a MobileNet v1 backbone (see ``mobilenet.py`` for why v1)."""

from modules.detector.config import DetectConfig, DetectorConfig, LossConfig, TrainConfig
from modules.detector.detect import Detector

__all__ = ["DetectConfig", "Detector", "DetectorConfig", "LossConfig", "TrainConfig"]
