"""Model export: ONNX graphs of the recognizer and detector (``modules.export.onnx``)."""
