"""What HACS and Home Assistant read from the repository, checked against their own rules.

Home Assistant's ``script/hassfest`` is not part of the installed package, so what it checks
is re-checked here, using Home Assistant's own definitions where the package ships them: the
``Manifest`` keys and integration types (``homeassistant.loader``), the ``services.yaml`` schema
and selectors (``homeassistant.helpers.service``), the quality-scale rule names (every core
integration's ``quality_scale.yaml``), the component list (``homeassistant.components``).
HACS's ``hacs.json`` and manifest rules are re-checked from its validation schema
(``hacs/integration``, ``custom_components/hacs/utils/validate.py``). Then ``quality_scale.yaml``
rule by rule: every ``done`` that can be checked from the files is, and every ``exempt`` says why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import subprocess
import sys
from typing import Any, get_args, get_type_hints
import zipfile

from awesomeversion import AwesomeVersion
import homeassistant
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import service as ha_service
from homeassistant.loader import Manifest
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.radar_sleep.const import DOMAIN

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / DOMAIN
HA_COMPONENTS = Path(homeassistant.__file__).parent / "components"
MANIFEST: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
HACS: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text())
SERVICES: dict[str, Any] = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
ICONS: dict[str, Any] = json.loads((INTEGRATION / "icons.json").read_text())
EN: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text())
QUALITY: dict[str, Any] = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
"""hassfest's ``SUPPORTED_IOT_CLASSES``."""
PLATFORM_MODULES = sorted(
    p.stem
    for p in INTEGRATION.glob("*.py")
    if "async_setup_entry" in p.read_text() and p.stem not in {"__init__", "runtime"}
)
ICON = re.compile(r"^mdi:[a-z0-9]+(-[a-z0-9]+)*$")


def _status(rule: str) -> str:
    value = QUALITY[rule]
    return value if isinstance(value, str) else value["status"]


# --------------------------------------------------------------------------- manifest.json


def test_manifest_follows_home_assistants_rules() -> None:
    allowed = set(get_type_hints(Manifest))
    assert set(MANIFEST) <= allowed, set(MANIFEST) - allowed
    assert MANIFEST["domain"] == INTEGRATION.name == DOMAIN
    # hassfest: domain and name first, then the keys in alphabetical order.
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert MANIFEST["iot_class"] in IOT_CLASSES
    integration_types = get_args(get_type_hints(Manifest)["integration_type"])
    assert MANIFEST["integration_type"] in integration_types
    # A custom integration needs a valid version (the loader refuses it otherwise).
    assert AwesomeVersion(MANIFEST["version"]).valid
    assert MANIFEST["codeowners"]
    assert all(re.fullmatch(r"@[A-Za-z0-9-]+(/[A-Za-z0-9-]+)?", o) for o in MANIFEST["codeowners"])
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://github.com/radar-sleep/radar-sleep")
    for dependency in (*MANIFEST["dependencies"], *MANIFEST["after_dependencies"]):
        assert (HA_COMPONENTS / dependency / "manifest.json").is_file(), dependency
    for usb in MANIFEST["usb"]:
        assert set(usb) <= {"vid", "pid", "serial_number", "manufacturer", "description"}
        assert all(re.fullmatch(r"[0-9A-F]{4}", usb[k]) for k in ("vid", "pid"))


def test_manifest_requirements_are_the_packages_dependencies() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    (dependencies,) = re.findall(r"^dependencies = \[(.*)\]$", pyproject, re.MULTILINE)
    assert sorted(MANIFEST["requirements"]) == sorted(re.findall(r'"([^"]+)"', dependencies))


# --------------------------------------------------------------------------- hacs.json


def test_hacs_json_follows_hacs_rules() -> None:
    schema = {
        "content_in_root": bool,
        "country": (str, list),
        "filename": str,
        "hacs": str,
        "hide_default_branch": bool,
        "homeassistant": str,
        "persistent_directory": str,
        "render_readme": bool,
        "zip_release": bool,
        "name": str,
    }
    assert set(HACS) <= set(schema), set(HACS) - set(schema)
    assert all(isinstance(value, schema[key]) for key, value in HACS.items())
    assert HACS["name"] == MANIFEST["name"]
    # HACS installs the release's zip only with zip_release and a .zip filename.
    assert HACS["zip_release"] is True
    assert HACS["filename"] == f"{DOMAIN}.zip"
    assert not HACS.get("content_in_root", False)
    assert AwesomeVersion(ha_version) >= AwesomeVersion(HACS["homeassistant"])
    # HACS's integration manifest schema.
    for key in ("codeowners", "documentation", "domain", "issue_tracker", "name", "version"):
        assert MANIFEST[key], key


def test_release_zip_holds_the_integration_at_its_root(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "publish.release", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with zipfile.ZipFile(tmp_path / HACS["filename"]) as archive:
        names = set(archive.namelist())
        assert json.loads(archive.read("manifest.json")) == MANIFEST
    tracked = subprocess.run(
        ["git", "ls-files", "--", str(INTEGRATION)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()
    expected = {str(Path(name).relative_to(INTEGRATION.relative_to(ROOT))) for name in tracked}
    assert names == {name for name in expected if (INTEGRATION / name).is_file()}
    assert {"__init__.py", "services.yaml", "translations/en.json", "brand/icon.png"} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    # The same tree gives the same bytes.
    first = (tmp_path / HACS["filename"]).read_bytes()
    subprocess.run(
        [sys.executable, "-m", "publish.release", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    assert (tmp_path / HACS["filename"]).read_bytes() == first


def test_release_refuses_a_version_the_manifest_does_not_carry(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "publish.release",
            "--out",
            str(tmp_path),
            "--version",
            "v99.0.0",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "releasing v99.0.0" in result.stderr


# --------------------------------------------------------------------------- brand images


@pytest.mark.parametrize(
    ("name", "size"),
    [("icon.png", 256), ("icon@2x.png", 512), ("logo.png", 256), ("logo@2x.png", 512)],
)
def test_brand_images(name: str, size: int) -> None:
    """Square icons of 256 and 512 pixels; landscape logos whose short side is 256 or 512."""
    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        width, height = image.size
        if name.startswith("icon"):
            assert (width, height) == (size, size)
        else:
            assert height == size <= width
        assert image.getchannel("A").getextrema()[0] == 0  # transparent background


def test_dark_logos_match_the_logos() -> None:
    for name in ("logo.png", "logo@2x.png"):
        with (
            Image.open(INTEGRATION / "brand" / name) as light,
            Image.open(INTEGRATION / "brand" / f"dark_{name}") as dark,
        ):
            assert light.size == dark.size


# --------------------------------------------------------------------------- services.yaml


def test_services_yaml_passes_home_assistants_schema() -> None:
    validated = ha_service._SERVICES_SCHEMA(SERVICES)
    assert set(validated) == set(SERVICES)


async def test_services_yaml_describes_the_registered_actions(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, silent_source: None
) -> None:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    registered = hass.services.async_services_for_domain(DOMAIN)
    assert set(registered) == set(SERVICES)
    for name, service in registered.items():
        assert service.schema is not None
        fields = {str(key) for key in service.schema.schema}
        assert fields == set(SERVICES[name]["fields"]), name
        for field, description in SERVICES[name]["fields"].items():
            required = any(
                str(key) == field and type(key).__name__ == "Required"
                for key in service.schema.schema
            )
            assert required == description.get("required", False), (name, field)


# --------------------------------------------------------------------------- icons.json


def test_icons_json_follows_the_icon_schema() -> None:
    assert set(ICONS) <= {"entity", "services"}
    assert set(ICONS["services"]) == set(SERVICES)
    for icon in ICONS["services"].values():
        value = icon if isinstance(icon, str) else icon["service"]
        assert ICON.match(value), value
    for platform, keys in ICONS["entity"].items():
        assert platform in PLATFORM_MODULES, platform
        for key, icon in keys.items():
            assert key in EN["entity"][platform], (platform, key)
            assert set(icon) <= {"default", "state", "range", "state_attributes"}
            assert ICON.match(icon["default"]), (platform, key)
            for value in icon.get("state", {}).values():
                assert ICON.match(value), (platform, key)


# --------------------------------------------------------------------------- translations


def _calls_with_translation_key() -> Iterator[tuple[str, str, str]]:
    """``(module, called name, translation_key)`` of every call passing a literal key."""
    for path in INTEGRATION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "translation_key" and isinstance(keyword.value, ast.Constant):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    yield path.stem, name, str(keyword.value.value)


def test_every_translation_key_the_code_uses_exists() -> None:
    seen = 0
    for module, called, key in _calls_with_translation_key():
        seen += 1
        if called.endswith(("Error", "Exception")):
            assert key in EN["exceptions"], (module, key)
        elif called == "async_create_issue":
            assert key in EN["issues"], (module, key)
        elif module in PLATFORM_MODULES:
            assert key in EN["entity"][module], (module, key)
        elif called in {"select", "SelectSelectorConfig"}:
            assert key in EN["selector"], (module, key)
        else:
            assert any(key in section for section in EN["entity"].values()), (module, key)
    assert seen > 20


def test_service_translations_cover_every_field() -> None:
    assert set(EN["services"]) == set(SERVICES)
    for name, service in SERVICES.items():
        assert EN["services"][name]["name"]
        assert EN["services"][name]["description"]
        assert set(EN["services"][name]["fields"]) == set(service["fields"]), name
        for field in EN["services"][name]["fields"].values():
            assert field["name"]
            assert field["description"]
        for field in service["fields"].values():
            translation = field["selector"].get("select", {}).get("translation_key")
            if translation:
                assert translation in EN["selector"]


def test_config_flow_errors_and_aborts_are_translated() -> None:
    source = "\n".join(
        (INTEGRATION / name).read_text() for name in ("config_flow.py", "sources.py")
    )
    reasons = set(re.findall(r'async_abort\(\s*reason="(\w+)"', source))
    reasons |= set(re.findall(r'_abort_if_unique_id_configured|"(already_configured)"', source))
    reasons |= set(re.findall(r'error="(\w+)"', source))
    reasons.discard("")
    reasons.add("already_configured")
    assert reasons <= set(EN["config"]["abort"]), reasons - set(EN["config"]["abort"])
    errors = set(re.findall(r'return "(\w+)", ', source))
    errors |= set(re.findall(r'errors\[[^]]+\] = "(\w+)"', source))
    errors |= set(re.findall(r'\{"base": "(\w+)"\}', source))
    assert errors
    translated = set(EN["config"]["error"]) | set(EN["options"]["error"])  # both flows
    assert errors <= translated, errors - translated


def test_issues_and_exceptions_have_their_texts() -> None:
    for key, issue in EN["issues"].items():
        assert issue["title"], key
        assert issue["description"], key
    for key, message in EN["exceptions"].items():
        assert message["message"], key


# --------------------------------------------------------------------------- quality_scale.yaml


def _core_rules() -> set[str]:
    rules: set[str] = set()
    for path in HA_COMPONENTS.glob("*/quality_scale.yaml"):
        data = yaml.safe_load(path.read_text()) or {}
        rules |= set(data.get("rules") or {})
    return rules


def test_quality_scale_names_every_rule_and_only_real_ones() -> None:
    core = _core_rules()
    assert set(QUALITY) <= core, set(QUALITY) - core
    platinum = yaml.safe_load((HA_COMPONENTS / "peblar" / "quality_scale.yaml").read_text())
    assert set(platinum["rules"]) <= set(QUALITY), set(platinum["rules"]) - set(QUALITY)
    for rule, value in QUALITY.items():
        status = _status(rule)
        assert status in {"done", "todo", "exempt"}, rule
        if status == "exempt":
            assert value["comment"], rule
    assert not [rule for rule in QUALITY if _status(rule) == "todo"]


def test_quality_scale_claims_hold() -> None:
    """Each ``done`` that the files can show, shown."""
    checks = {
        "brands": (INTEGRATION / "brand" / "icon.png").is_file()
        and (INTEGRATION / "brand" / "logo.png").is_file(),
        "integration-owner": bool(MANIFEST["codeowners"]),
        "config-flow": MANIFEST["config_flow"] is True,
        "diagnostics": (INTEGRATION / "diagnostics.py").is_file(),
        "icon-translations": bool(ICONS["entity"]),
        "entity-translations": bool(EN["entity"]),
        "exception-translations": bool(EN["exceptions"]),
        "repair-issues": bool(EN["issues"]),
        "reconfiguration-flow": "async_step_reconfigure"
        in (INTEGRATION / "config_flow.py").read_text(),
        "discovery": "async_step_usb" in (INTEGRATION / "config_flow.py").read_text()
        and bool(MANIFEST["usb"]),
        "parallel-updates": all(
            "PARALLEL_UPDATES" in (INTEGRATION / f"{m}.py").read_text() for m in PLATFORM_MODULES
        ),
        "runtime-data": "runtime_data" in (INTEGRATION / "runtime.py").read_text(),
        "action-setup": "async_setup_services(hass)" in (INTEGRATION / "runtime.py").read_text(),
        "common-modules": (INTEGRATION / "coordinator.py").is_file()
        and (INTEGRATION / "entity.py").is_file(),
        "has-entity-name": "_attr_has_entity_name = True"
        in (INTEGRATION / "entity.py").read_text(),
        "entity-disabled-by-default": any(
            "entity_registry_enabled_default=False" in (INTEGRATION / f"{m}.py").read_text()
            for m in PLATFORM_MODULES
        ),
        "entity-category": any(
            "EntityCategory." in (INTEGRATION / f"{m}.py").read_text() for m in PLATFORM_MODULES
        ),
        "docs-removal-instructions": "## Removing"
        in (ROOT / "docs/getting-started.md").read_text(),
        "docs-actions": all(
            f"radar_sleep.{name}" in "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
            for name in SERVICES
        ),
        "docs-supported-devices": (ROOT / "docs" / "hardware" / "README.md").is_file(),
        "docs-examples": (ROOT / "docs" / "blueprints.md").is_file(),
    }
    for rule, holds in checks.items():
        assert _status(rule) == "done", rule
        assert holds, rule


def test_every_error_raised_to_the_user_is_translated() -> None:
    """exception-translations: every ServiceValidationError and HomeAssistantError raised."""
    for path in INTEGRATION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"ServiceValidationError", "HomeAssistantError"}:
                    keywords = {k.arg for k in node.exc.keywords}
                    assert {"translation_domain", "translation_key"} <= keywords, (
                        path.name,
                        node.lineno,
                    )
