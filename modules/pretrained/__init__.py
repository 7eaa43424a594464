"""The shipped pretrained models: ``models/pretrained/`` (weights, model card, checksums).

``store`` writes and verifies them, ``card`` describes how they were made, ``python -m modules.pretrained``
ships a ``run_all.py --profile pretrain`` run's models and checks the shipped files.
"""
