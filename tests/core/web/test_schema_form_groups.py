"""The options form of a plugin with nested models (core/web/admin/schema_form.py): a nested
model is a group of its own fields named with dots, shown from the stored options or the
defaults, read back into nested options the model validates, and an error's path finds the
field it is about."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.web.admin import schema_form


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strength: Literal["strong", "weak"] | None = "weak"
    months: int = Field(default=1, ge=0)
    kinds: list[str] = ["a", "b"]


class Middle(BaseModel):
    on: bool = True
    inner: Inner = Field(default_factory=Inner, title="Inner rules")


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    age: int = 60
    rules: Middle = Field(default_factory=Middle, title="Rules", description="Nested twice.")


def _fields():
    return schema_form.fields_of(Options.model_json_schema())


def test_nested_models_are_groups_of_dotted_fields():
    fields = {f.name: f for f in _fields()}
    assert {n: f.kind for n, f in fields.items()} == {"age": "integer", "rules": "group"}
    rules = fields["rules"]
    assert rules.label == "Rules" and rules.help == "Nested twice."
    assert [(f.name, f.kind) for f in rules.fields] == [("rules.on", "bool"), ("rules.inner", "group")]
    inner = rules.fields[1]
    assert [(f.name, f.key, f.kind) for f in inner.fields] == [
        ("rules.inner.strength", "strength", "enum"),
        ("rules.inner.months", "months", "integer"),
        ("rules.inner.kinds", "kinds", "list"),
    ]
    assert inner.fields[0].nullable and inner.fields[1].constraints == {"minimum": 0}


def test_values_shown_are_the_stored_ones_else_the_defaults():
    shown = schema_form.form_values(_fields(), {"rules": {"inner": {"months": 7}}})
    assert shown == {
        "age": "60",
        "rules.on": True,
        "rules.inner.strength": "weak",
        "rules.inner.months": "7",
        "rules.inner.kinds": "a\nb",
    }


def test_the_form_reads_back_nested_options():
    data = {
        "opt_age": "58",
        "opt_rules.inner.strength": "",
        "opt_rules.inner.months": "3",
        "opt_rules.inner.kinds": "x\ny",
    }
    options, typed, errors = schema_form.read_form(_fields(), data)
    assert errors == {} and typed["rules.inner.months"] == "3"
    assert options == {
        "age": "58",
        "rules": {"on": False, "inner": {"strength": None, "months": "3", "kinds": ["x", "y"]}},
    }
    assert Options.model_validate(options).rules.inner.model_dump() == {
        "strength": None,
        "months": 3,
        "kinds": ["x", "y"],
    }


def test_an_errors_path_finds_its_field():
    fields = _fields()
    assert schema_form.input_for(fields, "rules.inner.months") == "rules.inner.months"
    assert schema_form.input_for(fields, "rules.inner.kinds.0") == "rules.inner.kinds"
    assert schema_form.input_for(fields, "rules.nothing") == "rules"
    assert schema_form.input_for(fields, "age") == "age" and schema_form.input_for(fields, "") == ""
