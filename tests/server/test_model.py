"""Meter models: the default one, and clear errors (file, line, what) for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dlmskit import axdr
from dlmskit.cli.main import main
from dlmskit.server import ModelError, load_model, loads_model
from dlmskit.server.model import _Where, parse_value

GOOD = """
meter: {logical_address: 5, physical_address: 33, system_title: "4142430000000009"}
associations:
  public: {client: 16, access: read}
objects:
  - obis: 0.0.42.0.0.255
    class: 1
    attributes: {2: {octet-string: "ABC"}}
"""


def test_default_model() -> None:
    model = load_model()
    assert (model.logical_address, model.physical_address) == (1, 17)
    assert [a.client for a in model.associations] == [16, 1, 3]
    assert "000102" not in repr(model)  # keys never shown
    assert len(model.objects) >= 20


def test_a_model_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD)
    model = load_model(path)
    assert model.logical_address == 5 and model.system_title == bytes.fromhex("4142430000000009")
    assert model.objects[0].attributes[2] == axdr.OctetString(b"ABC")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("meter: [1, 2", "not valid YAML"),
        ("- 1\n- 2\n", "a model is a mapping"),
        ("associations: {}\n", "associations must be a non-empty mapping"),
        ("associations:\n  a: {client: 16, mechanism: hls-foo}\n", "line 2: association 'a'"),
        ("associations:\n  a: {client: 3, mechanism: lls}\n", "needs a secret"),
        (
            "associations:\n  a: {client: 1, mechanism: hls-gmac}\n",
            "meter needs ek and ak",
        ),
        (
            "associations:\n  a: {client: 16}\n  b: {client: 16}\n",
            "same client SAP",
        ),
        (
            "associations:\n  a: {client: 16}\nobjects:\n  - {obis: 1.2.3, class: 1}\n",
            "line 4: obis '1.2.3'",
        ),
        (
            "associations:\n  a: {client: 16}\nobjects:\n  - obis: 0.0.1.0.0.255\n"
            "    class: 1\n    attributes: {2: {long-unsigned: 70000}}\n",
            "long-unsigned",
        ),
        (
            "associations:\n  a: {client: 16}\nobjects:\n  - {obis: 0.0.1.0.0.255, class: 1,"
            " access: {nobody: read}}\n",
            "unknown association 'nobody'",
        ),
        ('meter: {suite: 0, ek: "0011"}\nassociations:\n  a: {client: 16}\n', "ek must be 16"),
        ("meter: {ek: 0011}\nassociations:\n  a: {client: 16}\n", "write hex digits in quotes"),
    ],
)
def test_bad_models_name_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as caught:
        loads_model(text, "bad.yaml")
    assert str(caught.value).startswith("bad.yaml")


def test_values_of_every_form() -> None:
    where = _Where("v.yaml", 1)
    assert parse_value({"structure": [{"integer": -1}, {"enum": 30}]}, where) == axdr.Structure(
        (axdr.Integer(-1), axdr.Enum(30))
    )
    assert parse_value({"octet-string": "0x0102"}, where) == axdr.OctetString(b"\x01\x02")
    assert parse_value({"obis": "1.0.1.8.0.255"}, where) == axdr.OctetString(
        bytes.fromhex("0100010800FF")
    )
    assert parse_value({"boolean": True}, where) == axdr.Boolean(True)
    assert parse_value(None, where) is None
    with pytest.raises(ModelError, match="unknown DLMS type 'bogus'"):
        parse_value({"bogus": 1}, where)
    with pytest.raises(ModelError, match="one-key mapping"):
        parse_value(5, where)


def test_unknown_behaviour_is_reported(tmp_path: Path) -> None:
    from dlmskit.server import Meter

    model = loads_model(
        "associations:\n  a: {client: 16}\nobjects:\n"
        "  - {obis: 0.0.1.0.0.255, class: 8, behaviour: sundial}\n",
        "b.yaml",
    )
    with pytest.raises(ModelError, match="line 4: unknown behaviour 'sundial'"):
        Meter.from_model(model, now=0.0)


def test_simulate_command_usage_and_model_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["simulate", "--port", "70000"])
    assert result.exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("associations: {}\n")
    result = runner.invoke(main, ["simulate", "--model", str(bad)])
    assert result.exit_code == 1
    assert "associations must be a non-empty mapping" in result.output
    assert "Traceback" not in result.output


def test_the_readme_model_example_loads_and_runs() -> None:
    from dlmskit.server import Meter

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("**A model of your own**", 1)[1]
    text = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    model = loads_model(text, "README.md")
    meter = Meter.from_model(model, now=1_800_000_000.0)
    assert sorted(meter.server_settings.associations) == [1, 2, 16]
    assert meter.system_title == bytes.fromhex("4D4D4D0000BC614E")
