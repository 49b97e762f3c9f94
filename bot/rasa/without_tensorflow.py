"""Rasa without TensorFlow, for a model that has no TensorFlow component.

Rasa 3.6 imports TensorFlow whether the model uses it or not (`rasa.core.policies.policy` imports the
featurizers, which import `rasa.utils.train_utils`, which imports Keras callbacks): 680 MB resident before a
model is loaded. Balie's pipeline needs none of it once its FAQ answers come from a selector without
TensorFlow: tokenizer, sparse featurizers, scikit-learn classifiers, regexes, rules and memoization.

`bot serve rasa -m MODEL` reads the model's prediction graph first. When every component in it is one of the
known TensorFlow-free ones (Rasa's, listed below, and Balie's own in bot/rasa, which never import TensorFlow),
`install()` puts a stand-in for `tensorflow` (and the packages around it) in front of the import system: Rasa's
modules then import, their TensorFlow classes exist as empty shells, and nothing calls them, because no
component of the model is one of them. Otherwise Rasa starts as always. A model with a TensorFlow component
loaded later into such a process (`PUT /model`) fails to load and the old one keeps serving: restart Rasa.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import logging
import sys
import tarfile
import types
from pathlib import Path

logger = logging.getLogger(__name__)

# Components Rasa runs at prediction time that do not use TensorFlow.
TENSORFLOW_FREE = {
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    "rasa.core.policies.memoization.MemoizationPolicy",
    "rasa.core.policies.memoization.AugmentedMemoizationPolicy",
    "rasa.core.policies.rule_policy.RulePolicy",
    "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
    "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
    "rasa.nlu.classifiers.keyword_intent_classifier.KeywordIntentClassifier",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier",
    "rasa.nlu.extractors.regex_entity_extractor.RegexEntityExtractor",
    "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper",
    "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer.LexicalSyntacticFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.regex_featurizer.RegexFeaturizer",
    "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
}
OWN = "bot.rasa."  # Balie's components (tests/test_without_tensorflow.py checks that none imports TensorFlow)
STOOD_IN = ("tensorflow", "tensorflow_addons", "tensorflow_hub", "tensorflow_text", "tensorflow_probability",
            "tensorflow_estimator", "keras", "tf_keras")


def prediction_components(model: Path) -> set[str]:
    """The classes of the model's prediction graph, read from its metadata (no Rasa import)."""
    with tarfile.open(model, "r:gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.lstrip("/").lstrip("./") == "metadata.json")
        metadata = json.load(archive.extractfile(member))
    return {node["uses"] for node in metadata["predict_schema"]["nodes"].values()}


def tensorflow_free(model: Path) -> bool:
    """True when every component the model predicts with is known not to use TensorFlow."""
    try:
        components = prediction_components(model)
    except (OSError, KeyError, StopIteration, ValueError, tarfile.TarError):
        return False  # not a model we can read: Rasa decides, with TensorFlow
    return bool(components) and all(c in TENSORFLOW_FREE or c.startswith(OWN) for c in components)


class _Shell(type):
    """Any attribute of the stand-in: a class that can be subclassed, called, used as a decorator or a dtype."""

    def __getattr__(cls, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Shell(name, (object,), {})

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # @tf.function and the like
        return _Shell(cls.__name__, (object,), {})

    def __iter__(cls):
        return iter(())

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return cls

    __ror__ = __or__


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = _Shell(name, (object,), {})
        setattr(self, name, value)
        return value


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in STOOD_IN:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StandIn(spec.name)
        module.__path__ = []
        module.__version__ = "0.0"
        return module

    def exec_module(self, module) -> None:
        return None


def installed() -> bool:
    return any(isinstance(f, _Finder) for f in sys.meta_path)


def install() -> None:
    """Before Rasa is imported: `import tensorflow` (and its companions) gives the stand-in."""
    loaded = [name for name in sys.modules if name.split(".")[0] in STOOD_IN]
    if loaded:
        raise RuntimeError(f"TensorFlow is imported already ({loaded[0]}): install() must come first")
    if not installed():
        sys.meta_path.insert(0, _Finder())


def model_argument(args: list[str]) -> Path | None:
    """The model file of `rasa run` arguments (-m/--model), when it is one file."""
    for i, arg in enumerate(args):
        value = None
        if arg in ("-m", "--model") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--model="):
            value = arg.split("=", 1)[1]
        if value is not None:
            path = Path(value)
            return path if path.is_file() else None
    return None
