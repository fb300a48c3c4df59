import copy
import pickle

import cloudpickle
import pytest

from fluvial.common import Configuration, Duration


def test_typed_setters_store_flink_strings():
    config = Configuration()
    config.set_string("s", "text")
    config.set_integer("i", 42)
    config.set_boolean("b", True)
    config.set_float("f", 1.5)
    config.set_float("whole", 2)
    assert config.to_dict() == {
        "s": "text",
        "i": "42",
        "b": "true",
        "f": "1.5",
        "whole": "2.0",
    }


def test_typed_getters_parse_strings():
    config = Configuration()
    config.set_string("i", " 17 ").set_string("b", "TRUE").set_string("f", "2.5")
    assert config.get_integer("i", 0) == 17
    assert config.get_boolean("b", False) is True
    assert config.get_float("f", 0.0) == 2.5
    assert config.get_string("i", "") == " 17 "


def test_missing_keys_return_the_default():
    config = Configuration()
    assert config.get_string("x", "d") == "d"
    assert config.get_integer("x", 3) == 3
    assert config.get_boolean("x", True) is True
    assert config.get_float("x", 0.5) == 0.5
    assert config.get("x") is None
    assert config.get("x", "fallback") == "fallback"


def test_unparsable_values_name_key_and_value():
    config = Configuration().set_string("k", "abc")
    with pytest.raises(
        ValueError, match="value for key 'k' is not a valid integer, got 'abc'"
    ):
        config.get_integer("k", 0)
    with pytest.raises(ValueError, match="not a valid boolean, got 'abc'"):
        config.get_boolean("k", False)
    with pytest.raises(ValueError, match="not a valid float, got 'abc'"):
        config.get_float("k", 0.0)


def test_setters_refuse_wrong_value_types():
    config = Configuration()
    with pytest.raises(
        TypeError, match="set_string value for key 'k' must be a str, got int 1"
    ):
        config.set_string("k", 1)
    with pytest.raises(TypeError, match="must be an int, got bool True"):
        config.set_integer("k", True)
    with pytest.raises(TypeError, match="must be a bool, got str 'true'"):
        config.set_boolean("k", "true")
    with pytest.raises(TypeError, match="configuration key must be a str, got int 5"):
        config.set_string(5, "v")
    assert config.to_dict() == {}


def test_generic_set_uses_flink_formats():
    config = Configuration()
    config.set("bool", False)
    config.set("int", 3)
    config.set("list", ["a.jar", "b.jar"])
    config.set("map", {"k1": "v1", "k2": 2})
    config.set("duration", Duration.of_seconds(30))
    config.set("odd", Duration.of_millis(1500))
    assert config.to_dict() == {
        "bool": "false",
        "int": "3",
        "list": "a.jar;b.jar",
        "map": "k1:v1,k2:2",
        "duration": "30 s",
        "odd": "1500 ms",
    }
    assert config.get("int") == "3"
    with pytest.raises(TypeError, match="must not be None"):
        config.set("x", None)


def test_keys_contains_remove():
    config = Configuration().set_string("a", "1").set_string("b", "2")
    assert config.key_set() == {"a", "b"}
    assert config.contains_key("a")
    assert config.remove_config("a") is True
    assert config.remove_config("a") is False
    assert not config.contains_key("a")


def test_add_all_with_and_without_prefix():
    source = Configuration().set_string("a", "1")
    target = Configuration().set_string("b", "2")
    target.add_all(source)
    target.add_all(source, "p.")
    assert target.to_dict() == {"b": "2", "a": "1", "p.a": "1"}
    collected = {"z": "0"}
    source.add_all_to_dict(collected)
    assert collected == {"z": "0", "a": "1"}


def test_copy_constructor_is_independent():
    original = Configuration().set_string("a", "1")
    clone = Configuration(original)
    clone.set_string("a", "2")
    assert original.get_string("a", None) == "1"
    assert Configuration(original) == original
    assert clone != original


def test_to_dict_is_a_copy():
    config = Configuration().set_string("a", "1")
    config.to_dict()["a"] = "changed"
    assert config.get_string("a", None) == "1"


def test_equality_and_strings():
    left = Configuration().set_integer("a", 1).set_boolean("b", True)
    right = Configuration().set_string("a", "1").set_string("b", "true")
    assert left == right
    assert left != {"a": "1", "b": "true"}
    assert str(left) == "{a=1, b=true}"
    assert repr(left) == "Configuration({'a': '1', 'b': 'true'})"


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_configuration_pickles(dumps):
    config = Configuration().set_string("a", "1").set_integer("n", 5)
    assert pickle.loads(dumps(config)) == config
    assert copy.deepcopy(config) == config
