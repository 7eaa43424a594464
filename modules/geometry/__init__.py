"""Bottom-layer geometry shared by data preparation, the detector, the metrics and the OCR.

- ``quads``: ``Quad`` (TL, TR, BR, BL corners) and its conversions to / from ``xyxy`` boxes;
- ``iou``: IoU / IoA matrices of ``xyxy`` boxes and the greedy one-to-one matcher;
- ``crop``: cutting a box or a (perspective) quad out of an image, tiling a vertical word;
- ``vertical``: the rule that makes a box a vertical (top-to-bottom) word;
- ``rgb``: normalising any input image (PIL, gray, RGBA, float) to a uint8 RGB or gray array.

numpy / OpenCV / PIL only: no torch, nothing from any other ``modules`` package except ``imageio``.
"""
