"""The clinic's settings file: defaults, every key, and messages that say where the mistake is."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk import clock, config
from frontdesk.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_defaults(tmp_path):
    assert config.load(tmp_path / "missing.toml") == config.Config()


def test_the_file_named_by_frontdesk_config_is_read(tmp_path, monkeypatch):
    path = _write(tmp_path, 'clinic_name = "Elm Street Family Practice"\n')
    monkeypatch.setenv("FRONTDESK_CONFIG", str(path))
    assert config.load().clinic_name == "Elm Street Family Practice"


def test_every_key_is_read(tmp_path):
    path = _write(tmp_path, """
clinic_name = "Harbor Pediatrics"
timezone = "America/Chicago"
phone_region = "CA"
slot_minutes = 10
phone_lines = 6
idle_lock_minutes = 12

[keys]
"schedule.next_day" = "n"
"schedule.check_in" = "f6"
""")
    assert config.load(path) == config.Config(
        clinic_name="Harbor Pediatrics", timezone="America/Chicago", phone_region="CA",
        slot_minutes=10, phone_lines=6, idle_lock_minutes=12,
        keys={"schedule.next_day": "n", "schedule.check_in": "f6"},
    )


def test_a_partial_file_keeps_the_other_defaults(tmp_path):
    loaded = config.load(_write(tmp_path, "phone_lines = 2\n"))
    assert loaded.phone_lines == 2
    assert loaded.slot_minutes == config.Config().slot_minutes
    assert loaded.timezone == config.Config().timezone


def test_phone_region_is_upper_cased(tmp_path):
    assert config.load(_write(tmp_path, 'phone_region = "gb"\n')).phone_region == "GB"


@pytest.mark.parametrize(("line", "key"), [
    ('slot_minutes = 7', "slot_minutes"),
    ('slot_minutes = true', "slot_minutes"),
    ('phone_lines = 0', "phone_lines"),
    ('phone_lines = "four"', "phone_lines"),
    ('idle_lock_minutes = 1000', "idle_lock_minutes"),
    ('timezone = "Eastern"', "timezone"),
    ('phone_region = "XX"', "phone_region"),
    ('clinic_name = ""', "clinic_name"),
])
def test_a_bad_value_names_the_key_and_its_line(tmp_path, line, key):
    path = _write(tmp_path, f'# the clinic\nclinic_name = "Ok"\n\n{line}\n'
                  if key != "clinic_name" else f"# the clinic\n\n\n{line}\n")
    with pytest.raises(ConfigError) as refused:
        config.load(path)
    message = str(refused.value)
    assert key in message
    assert "line 4" in message
    assert str(path) in message


def test_a_bad_key_binding_names_the_keys_table_line(tmp_path):
    path = _write(tmp_path, 'slot_minutes = 15\n[keys]\n"schedule.next_day" = ""\n')
    with pytest.raises(ConfigError, match=r"line 2: keys must be a table"):
        config.load(path)


def test_bad_toml_names_the_line(tmp_path):
    path = _write(tmp_path, 'clinic_name = "Harbor"\nslot_minutes = \nphone_lines = 4\n')
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        config.load(path)


def test_an_unknown_key_is_named_with_its_line(tmp_path):
    path = _write(tmp_path, 'clinic_name = "Harbor"\ntimezome = "America/Chicago"\n')
    with pytest.raises(ConfigError) as refused:
        config.load(path)
    assert 'unknown setting "timezome"' in str(refused.value)
    assert "line 2" in str(refused.value)
    assert "timezone" in str(refused.value)  # the known keys are listed, so the typo shows


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="Cannot read the configuration"):
        config.load(path)


def test_use_sets_the_clinic_clock_zone():
    config.use(config.Config(timezone="America/Denver"))
    assert config.current().timezone == "America/Denver"
    assert clock.zone().key == "America/Denver"
    # 15:20 UTC is 8:20 in Denver in December.
    assert clock.wall(clock.now()) == "8:20"


def test_the_readme_example_is_a_valid_configuration(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = tmp_path / "config.toml"
    example.write_text(re.search(r"```toml\n(.*?)```", readme, re.S).group(1), encoding="utf-8")
    loaded = config.load(example)
    assert loaded.form_renewal_months["privacy"] == 0 and loaded.long_wait_minutes == 20
