"""Make ``import pyflink...`` resolve to Fluvial, so unmodified PyFlink jobs run.

``install()`` puts a finder at the front of sys.meta_path that answers every ``pyflink``
and ``pyflink.*`` import with a thin proxy of the matching ``fluvial.*`` module.  Attribute
reads are forwarded, so ``pyflink.common.Row is fluvial.common.Row`` and isinstance checks
agree; only the module objects themselves differ.  A proxy rather than the Fluvial module
itself is handed out because it is where the PEP 562 ``__getattr__`` fallback lives: a
public PyFlink name Fluvial lacks raises UnsupportedFeatureError, without patching
Fluvial's own modules.

``uninstall()`` removes the finder and the proxies and puts back whatever ``pyflink*``
entries sys.modules held before (e.g. a real PyFlink imported earlier).
"""
import importlib
import importlib.abc
import importlib.machinery
import sys
import types

from fluvial import _pyflink_api
from fluvial.errors import UnsupportedFeatureError

_COVERAGE_DOC = "docs/pyflink-coverage.md"


# PyFlink modules that are planned but not there yet, with what to do meanwhile.
_PLANNED = {
    "pyflink.datastream.connectors.elasticsearch": (
        "the Elasticsearch connector (pyflink.datastream.connectors.elasticsearch: Elasticsearch6SinkBuilder, "
        "Elasticsearch7SinkBuilder) is not available in Fluvial yet; it is planned (issue #21). Until then, "
        "index documents from a map or process function with an Elasticsearch client"),
    "pyflink.datastream.connectors.pulsar": (
        "the Pulsar connector (pyflink.datastream.connectors.pulsar: PulsarSource, PulsarSink) is not "
        "available in Fluvial yet; it is planned (issue #21). Until then, use the Kafka connector "
        "(pyflink.datastream.connectors.kafka), e.g. through Pulsar's Kafka protocol handler"),
}


def _unsupported(what):
    if what in _PLANNED:
        return UnsupportedFeatureError(_PLANNED[what], name=what)
    return UnsupportedFeatureError(
        f"{what} is not supported by Fluvial yet (see {_COVERAGE_DOC})", name=what)


def _is_pyflink(name):
    return name == "pyflink" or name.startswith("pyflink.")


class _AliasModule(types.ModuleType):
    """Stands in sys.modules as pyflink.X; reads fall through to fluvial.X.

    Its own __dict__ holds only what the import system sets (__spec__, __path__, ...) and
    the pyflink.* submodules bound as attributes after import; everything else is looked
    up on the Fluvial module by __getattr__, which Python calls only on a miss.
    """

    def __init__(self, name, target):
        super().__init__(name, target.__doc__)
        self._fluvial_module = target

    def __getattr__(self, attr):
        target = self._fluvial_module
        try:
            value = getattr(target, attr)
        except AttributeError:
            if attr == "__all__":
                # No __all__ in Fluvial: star-import what it provides (the proxy's own
                # __dict__ would give nothing).
                return [n for n, v in vars(target).items()
                        if not n.startswith("_") and not isinstance(v, types.ModuleType)]
            if attr in _pyflink_api.API.get(self.__name__, ()):
                raise _unsupported(f"{self.__name__}.{attr}") from None
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {attr!r}") from None
        if isinstance(value, types.ModuleType) and value.__name__ == f"{target.__name__}.{attr}":
            # A Fluvial submodule reached as an attribute: hand out its pyflink proxy so
            # pyflink.datastream.functions is one object however it is reached.
            return importlib.import_module(f"{self.__name__}.{attr}")
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self._fluvial_module)))

    def __repr__(self):
        return f"<module {self.__name__!r} (alias of {self._fluvial_module.__name__!r})>"


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):

    def find_spec(self, fullname, path=None, target=None):
        if not _is_pyflink(fullname):
            return None
        module = _pyflink_api.import_fluvial(fullname)
        if module is None:
            if fullname in _pyflink_api.MODULES:
                raise _unsupported(fullname)
            # Not a PyFlink module either (typo, or `from pyflink.x import NotAName`,
            # which tries the submodule before giving the usual "cannot import name").
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        # is_package=True gives every proxy a __path__, so the import system asks this
        # finder for its submodules (and reports unsupported ones) even when the Fluvial
        # module is a plain .py file.
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        spec.loader_state = module
        return spec

    def create_module(self, spec):
        return _AliasModule(spec.name, spec.loader_state)

    def exec_module(self, module):
        pass  # the Fluvial module was already executed by find_spec


_finder = None
_saved_modules = {}


def install():
    """Route pyflink imports to Fluvial (idempotent)."""
    global _finder
    if _finder is not None:
        return
    # A pyflink already imported (a real one) would shadow the alias: set it aside.
    for name in [n for n in sys.modules if _is_pyflink(n)]:
        _saved_modules[name] = sys.modules.pop(name)
    _finder = _AliasFinder()
    sys.meta_path.insert(0, _finder)


def uninstall():
    """Undo install(): drop the finder and the proxies, restore earlier pyflink modules."""
    global _finder
    if _finder is None:
        return
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if _is_pyflink(n)]:
        del sys.modules[name]
    sys.modules.update(_saved_modules)
    _saved_modules.clear()


def installed():
    return _finder is not None
