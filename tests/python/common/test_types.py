import copy
import pickle

import cloudpickle
import pytest

from fluvial.common import Row, RowKind

# ------------------------------------------------------------------------------ RowKind


def test_row_kind_values_and_short_strings():
    assert [kind.value for kind in RowKind] == [0, 1, 2, 3]
    assert [str(kind) for kind in RowKind] == ["+I", "-U", "+U", "-D"]
    assert RowKind.UPDATE_AFTER.short_string() == "+U"
    assert [RowKind.from_byte_value(kind.to_byte_value()) for kind in RowKind] == list(
        RowKind
    )
    with pytest.raises(ValueError, match=r"in \[0, 3\], got 4"):
        RowKind.from_byte_value(4)


# ---------------------------------------------------------------------------- creation


def test_positional_row():
    row = Row(1, "a")
    assert row[0] == 1 and row[1] == "a" and row[-1] == "a"
    assert row[0:1] == [1]
    assert len(row) == 2
    assert list(row) == [1, "a"]
    assert not hasattr(row, "_fields")
    assert repr(row) == "<Row(1, 'a')>"


def test_named_row_keeps_keyword_order():
    row = Row(name="a", price=1.0)
    assert row._fields == ["name", "price"]
    assert row["name"] == "a" and row.price == 1.0 and row[1] == 1.0
    assert repr(row) == "Row(name='a', price=1.0)"
    assert row.as_dict() == {"name": "a", "price": 1.0}


def test_args_and_kwargs_together_are_refused():
    with pytest.raises(ValueError, match="either positional or keyword values"):
        Row(1, b=2)


def test_empty_row():
    assert len(Row()) == 0
    assert repr(Row()) == "<Row()>"


def test_row_template_builds_named_rows():
    person = Row("name", "age")
    assert repr(person) == "<Row('name', 'age')>"
    assert "name" in person
    bob = person("Bob", 3)
    assert bob == Row(name="Bob", age=3)
    assert repr(bob) == "Row(name='Bob', age=3)"
    with pytest.raises(ValueError, match="takes at most 2 values, got 3"):
        person(1, 2, 3)


def test_template_keeps_its_row_kind():
    template = Row.of_kind(RowKind.DELETE, "a")
    assert template(1).get_row_kind() is RowKind.DELETE


def test_of_kind():
    row = Row.of_kind(RowKind.UPDATE_BEFORE, 1, 2)
    assert row.get_row_kind() is RowKind.UPDATE_BEFORE
    assert list(row) == [1, 2]
    assert row._is_retract_msg() and not row._is_accumulate_msg()


# ----------------------------------------------------------------------- field access


def test_assignment_by_name_and_index():
    row = Row(item_id=5, qty=2)
    row["item_id"] = -1
    row[1] = 7
    assert row == Row(item_id=-1, qty=7)


def test_attribute_assignment_is_refused():
    row = Row(a=1)
    with pytest.raises(AttributeError, match=r"use row\['a'\] = value"):
        row.a = 2
    with pytest.raises(AttributeError):
        row.new_attribute = 2
    assert row.a == 1


def test_unknown_names_raise_key_and_value_error():
    row = Row(a=1)
    for error in (KeyError, ValueError):
        with pytest.raises(error, match="no field named 'b', its fields are"):
            row["b"]
        with pytest.raises(error):
            row["b"] = 2
    with pytest.raises(KeyError, match="Row has no field names"):
        Row(1)["a"]
    with pytest.raises(AttributeError, match="no field or attribute 'b'"):
        _ = row.b


def test_contains_checks_names_of_named_rows_and_values_of_positional_rows():
    assert "a" in Row(a=1) and 1 not in Row(a=1)
    assert 1 in Row(1, 2) and "a" not in Row(1, 2)


def test_set_field_names_turns_a_positional_row_named():
    row = Row(1, 2)
    row.set_field_names(["x", "y"])
    assert row.y == 2 and row.as_dict() == {"x": 1, "y": 2}
    with pytest.raises(ValueError, match=r"one name per field \(2\), got 1 names"):
        row.set_field_names(["x"])


def test_get_fields_by_names():
    row = Row(a=1, b=2, c=3)
    assert row.get_fields_by_names(["c", "a"]) == [3, 1]
    assert row.get_fields_by_names(["a", "b", "c"]) == [1, 2, 3]
    with pytest.raises(KeyError, match=r"no fields named \['z'\]"):
        row.get_fields_by_names(["a", "z"])


def test_as_dict_recursive():
    row = Row(key=1, value=Row(name="a", items=[Row(x=1)], meta={"m": Row(y=2)}))
    assert row.as_dict() == {
        "key": 1,
        "value": Row(name="a", items=[Row(x=1)], meta={"m": Row(y=2)}),
    }
    assert row.as_dict(True) == {
        "key": 1,
        "value": {"name": "a", "items": [{"x": 1}], "meta": {"m": {"y": 2}}},
    }
    with pytest.raises(TypeError, match="needs a row with field names, got <Row"):
        Row(1).as_dict()


def test_set_row_kind_checks_its_argument():
    row = Row(1)
    row.set_row_kind(RowKind.DELETE)
    assert row.get_row_kind() is RowKind.DELETE
    with pytest.raises(TypeError, match="row_kind must be a RowKind, got str '-D'"):
        row.set_row_kind("-D")


# -------------------------------------------------------------------- equality, hashing


def test_equality_includes_row_kind_and_values():
    assert Row(1, "a") == Row(1, "a")
    assert Row(1, "a") != Row(1, "b")
    assert Row(1) != Row.of_kind(RowKind.DELETE, 1)
    assert Row(1, 2) != (1, 2)


def test_named_rows_compare_by_name_not_order():
    assert Row(a=1, b=2) == Row(b=2, a=1)
    assert hash(Row(a=1, b=2)) == hash(Row(b=2, a=1))
    assert Row(a=1, b=2) != Row(a=2, b=1)
    assert Row(a=1) != Row(b=1)


def test_named_and_positional_rows_differ():
    assert Row(a=1) != Row(1)
    assert Row(1) != Row(a=1)


def test_rows_are_usable_as_keys():
    counts = {Row(1, "a"): 1, Row(a=1): 2}
    assert counts[Row(1, "a")] == 1 and counts[Row(a=1)] == 2


# ----------------------------------------------------------------------------- pickling


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_rows_pickle_with_names_and_kind(dumps):
    rows = [
        Row(1, "a"),
        Row(name="a", price=1.0),
        Row.of_kind(RowKind.UPDATE_AFTER, nested=Row(1, [Row(x=None)])),
        Row(),
    ]
    for row in rows:
        clone = pickle.loads(dumps(row))
        assert clone == row
        assert repr(clone) == repr(row)
        assert clone.get_row_kind() is row.get_row_kind()
        assert hasattr(clone, "_fields") == hasattr(row, "_fields")


def test_copies_do_not_share_values():
    row = Row(a=[1])
    clone = copy.copy(row)
    clone["a"] = [2]
    assert row.a == [1]
    assert copy.deepcopy(row) == row
