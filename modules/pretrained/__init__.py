"""Shipping the pretrained models: ``ship`` writes a pretraining run's checkpoints in ``modules.shipped``'s
layout, ``card`` describes how they were made; ``python -m modules.pretrained`` runs both and checks the
shipped files.
"""
