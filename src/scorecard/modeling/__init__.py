"""Modeling: WOE binning, selection, scorecard, calibration, reason codes, challenger, evaluation, train_card.

Public names load on first use, so ``import scorecard.modeling`` stays free of pandas, sklearn and LightGBM.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "WoeBinner": "binning",
    "FeatureSelector": "selection",
    "Scorecard": "scorecard",
    "Calibrator": "calibration",
    "MasterScale": "calibration",
    "ReasonCoder": "reasons",
    "Challenger": "challenger",
    "evaluate": "evaluation",
    "TrainedCard": "train",
    "train_card": "train",
}

__all__ = [
    "Calibrator",
    "Challenger",
    "FeatureSelector",
    "MasterScale",
    "ReasonCoder",
    "Scorecard",
    "TrainedCard",
    "WoeBinner",
    "evaluate",
    "train_card",
]

if TYPE_CHECKING:
    from scorecard.modeling.binning import WoeBinner
    from scorecard.modeling.calibration import Calibrator, MasterScale
    from scorecard.modeling.challenger import Challenger
    from scorecard.modeling.evaluation import evaluate
    from scorecard.modeling.reasons import ReasonCoder
    from scorecard.modeling.scorecard import Scorecard
    from scorecard.modeling.selection import FeatureSelector
    from scorecard.modeling.train import TrainedCard, train_card


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'scorecard.modeling' has no attribute {name!r}")
    return getattr(import_module(f"scorecard.modeling.{_PUBLIC[name]}"), name)
