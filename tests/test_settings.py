"""PaintSettings: defaults in one place, every bad value named with its field, from a table."""

from __future__ import annotations

import pytest

from painter.settings import MAX_FIT_SIDE, MAX_STROKES, PaintSettings, SettingsError, defaults


def test_defaults_are_the_fields_defaults_and_valid():
    settings = PaintSettings()
    assert settings.to_dict() == defaults()
    assert settings.output_size == settings.size == 512
    assert PaintSettings(render_size=2048).output_size == 2048


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"strokes": 0}, "strokes", "between 1 and"),
        ({"strokes": MAX_STROKES + 1}, "strokes", f"between 1 and {MAX_STROKES}"),
        ({"strokes": 2.5}, "strokes", "whole number"),
        ({"strokes": True}, "strokes", "whole number"),
        ({"size": 8}, "size", "between 32"),
        ({"size": 100_000}, "size", f"and {MAX_FIT_SIDE}, got 100000"),
        ({"render_size": 100_000}, "render_size", "got 100000"),
        ({"render_size": 1}, "render_size", "got 1"),
        ({"seed": 2**64}, "seed", "got 18446744073709551616"),
        ({"seed": -1}, "seed", "got -1"),
        ({"quality": "best"}, "quality", "'best'; use one of draft, normal, fine"),
        ({"canvas": "mauve"}, "canvas", "'mauve'"),
        ({"device": "tpu"}, "device", "'tpu'"),
        ({"renderer": "magic"}, "renderer", "'magic'"),
        ({"steps": 0}, "steps", "got 0"),
        ({"style": "s.jpg", "style_weight": 1e39}, "style_weight", "got 1e+39"),
        ({"style": "s.jpg", "style_weight": float("nan")}, "style_weight", "expected a number"),
        ({"style": "s.jpg", "style_mode": "texture"}, "style_mode", "'texture'"),
        ({"preserve_colour": True}, "preserve_colour", "needs style"),
        ({"style_weight": 0.5}, "style_weight", "needs style"),
        ({"renderer": "exact", "renderer_weights": "mine.pt"}, "renderer_weights", "renderer is exact"),
    ],
)
def test_bad_values_name_the_field_and_the_value(changes, field, message):
    with pytest.raises(SettingsError) as caught:
        PaintSettings(**changes)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ") and message in str(caught.value)


def test_a_front_end_can_name_fields_its_own_way():
    with pytest.raises(SettingsError) as caught:
        PaintSettings(vgg_weights="vgg.pth")
    assert caught.value.named(lambda f: "--" + f.replace("_", "-")) == "--vgg-weights: needs --style"


def test_settings_are_frozen_and_replace_validates():
    settings = PaintSettings()
    with pytest.raises(AttributeError):
        settings.strokes = 10  # type: ignore[misc]
    assert settings.replace(strokes=10).strokes == 10
    with pytest.raises(SettingsError):
        settings.replace(strokes=-1)
